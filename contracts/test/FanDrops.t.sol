// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {FairToken} from "../src/FairToken.sol";
import {FanDrops} from "../src/FanDrops.sol";
import {FanDropsHandler} from "./handlers/FanDropsHandler.sol";
import {PayoutMerkle} from "./handlers/PayoutMerkle.sol";

abstract contract FanDropsFixture is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint64 internal constant WINDOW = 30 days;

    address internal faucet = makeAddr("faucet");
    address internal artist;
    uint256 internal artistKey;
    address internal pusher = makeAddr("pusher");

    FairToken internal fair;
    FanDrops internal drops;

    /// @dev A drop's leaves: fans and their amounts, in tree order.
    struct Leaves {
        address[] accounts;
        uint256[] amounts;
    }

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        (artist, artistKey) = makeAddrAndKey("artist");
        fair = new FairToken(
            FairToken.Allocation(makeAddr("rewards"), 600_000_000e18),
            FairToken.Allocation(makeAddr("treasury"), 300_000_000e18),
            true,
            FairToken.Allocation(faucet, 100_000_000e18)
        );
        drops = new FanDrops(IERC20(address(fair)));
        _fund(artist, 10_000e18);
        vm.prank(artist);
        fair.approve(address(drops), type(uint256).max);
    }

    function _fund(address to, uint256 amount) internal {
        vm.prank(faucet);
        fair.transfer(to, amount);
    }

    /// @dev `n` fans (named fan-0, fan-1, …) with amounts (i + 1) × `unit`.
    function _leaves(uint256 n, uint256 unit) internal returns (Leaves memory l) {
        l.accounts = new address[](n);
        l.amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            l.accounts[i] = makeAddr(string.concat("fan-", vm.toString(i)));
            l.amounts[i] = (i + 1) * unit;
        }
    }

    function _hashes(Leaves memory l) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](l.accounts.length);
        for (uint256 i; i < hashes.length; ++i) {
            hashes[i] = _leaf(l.accounts[i], l.amounts[i]);
        }
    }

    function _leaf(address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
    }

    function _root(Leaves memory l) internal pure returns (bytes32) {
        return PayoutMerkle.root(_hashes(l));
    }

    function _proof(Leaves memory l, uint256 i) internal pure returns (bytes32[] memory) {
        return PayoutMerkle.proof(_hashes(l), i);
    }

    function _sum(Leaves memory l) internal pure returns (uint256 sum) {
        for (uint256 i; i < l.amounts.length; ++i) {
            sum += l.amounts[i];
        }
    }

    function _create(Leaves memory l) internal returns (uint256) {
        vm.prank(artist);
        return drops.createDrop(_root(l), _sum(l), uint32(l.accounts.length), WINDOW, "Top fans of 2025");
    }

    function _claims(Leaves memory l) internal pure returns (FanDrops.Claim[] memory claims) {
        claims = new FanDrops.Claim[](l.accounts.length);
        for (uint256 i; i < claims.length; ++i) {
            claims[i] = FanDrops.Claim(l.accounts[i], l.amounts[i], _proof(l, i));
        }
    }

    function _signPermit(uint256 key, address owner, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(drops), value, nonce, deadline));
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", fair.DOMAIN_SEPARATOR(), structHash)));
    }
}

contract FanDropsTest is FanDropsFixture {
    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsToken() public view {
        assertEq(address(drops.fair()), address(fair));
        assertEq(drops.dropCount(), 0);
    }

    function test_Constructor_Revert_whenTokenZero() public {
        vm.expectRevert(FanDrops.ZeroAddress.selector);
        new FanDrops(IERC20(address(0)));
    }

    /*//////////////////////////////////////////////////////////////
                               CREATE DROP
    //////////////////////////////////////////////////////////////*/

    function test_CreateDrop_PullsTheTotalAndStoresTheDrop() public {
        Leaves memory l = _leaves(3, 1e18);
        bytes32 root = _root(l);
        uint64 expiresAt = uint64(block.timestamp) + WINDOW;

        vm.expectEmit(true, true, false, true, address(drops));
        emit FanDrops.DropCreated(1, artist, root, 6e18, 3, "Top fans of 2025", expiresAt);
        assertEq(_create(l), 1);

        FanDrops.Drop memory d = drops.dropOf(1);
        assertEq(d.creator, artist);
        assertEq(d.expiresAt, expiresAt);
        assertEq(d.recipients, 3);
        assertFalse(d.reclaimed);
        assertEq(d.root, root);
        assertEq(d.total, 6e18);
        assertEq(d.claimed, 0);
        assertEq(d.claimedCount, 0);
        assertEq(fair.balanceOf(address(drops)), 6e18);
        assertEq(fair.balanceOf(artist), 10_000e18 - 6e18);
        assertEq(drops.dropCount(), 1);
        assertEq(_create(l), 2);
    }

    function test_CreateDrop_Revert_whenZeroTotal() public {
        vm.prank(artist);
        vm.expectRevert(FanDrops.ZeroTotal.selector);
        drops.createDrop(keccak256("root"), 0, 1, WINDOW, "");
    }

    function test_CreateDrop_Revert_whenZeroRoot() public {
        vm.prank(artist);
        vm.expectRevert(FanDrops.ZeroRoot.selector);
        drops.createDrop(bytes32(0), 1e18, 1, WINDOW, "");
    }

    function test_CreateDrop_Revert_whenZeroRecipients() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidRecipients.selector, 0, 1e18));
        drops.createDrop(keccak256("root"), 1e18, 0, WINDOW, "");
    }

    function test_CreateDrop_Revert_whenMoreRecipientsThanBaseUnits() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidRecipients.selector, 3, 2));
        drops.createDrop(keccak256("root"), 2, 3, WINDOW, "");
    }

    function test_CreateDrop_Revert_whenClaimWindowTooShort() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidClaimWindow.selector, 1 days - 1));
        drops.createDrop(keccak256("root"), 1e18, 1, 1 days - 1, "");
    }

    function test_CreateDrop_Revert_whenClaimWindowTooLong() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidClaimWindow.selector, 365 days + 1));
        drops.createDrop(keccak256("root"), 1e18, 1, 365 days + 1, "");
    }

    function test_CreateDrop_Revert_whenReasonTooLong() public {
        bytes memory reason = new bytes(257);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.ReasonTooLong.selector, 257));
        drops.createDrop(keccak256("root"), 1e18, 1, WINDOW, string(reason));
    }

    function test_CreateDrop_Revert_whenTotalAboveBalance() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InsufficientBalance.selector, 10_000e18, 10_000e18 + 1));
        drops.createDrop(keccak256("root"), 10_000e18 + 1, 1, WINDOW, "");
        assertEq(drops.dropCount(), 0);
    }

    function test_CreateDrop_Revert_whenAllowanceTooLow() public {
        vm.prank(artist);
        fair.approve(address(drops), 1e18 - 1);
        vm.prank(artist);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(drops), 1e18 - 1, 1e18)
        );
        drops.createDrop(keccak256("root"), 1e18, 1, WINDOW, "");
    }

    function test_CreateDropWithPermit_FundsWithoutApproval() public {
        vm.prank(artist);
        fair.approve(address(drops), 0);
        Leaves memory l = _leaves(2, 1e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 3e18, 0, deadline);
        vm.prank(artist);
        uint256 dropId = drops.createDropWithPermit(_root(l), 3e18, 2, WINDOW, "thanks", deadline, v, r, s);
        assertEq(dropId, 1);
        assertEq(fair.balanceOf(address(drops)), 3e18);
        assertEq(fair.allowance(artist, address(drops)), 0);
    }

    function test_CreateDropWithPermit_Succeeds_whenPermitFrontRun() public {
        vm.prank(artist);
        fair.approve(address(drops), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 3e18, 0, deadline);
        fair.permit(artist, address(drops), 3e18, deadline, v, r, s);
        vm.prank(artist);
        drops.createDropWithPermit(keccak256("root"), 3e18, 2, WINDOW, "", deadline, v, r, s);
        assertEq(fair.balanceOf(address(drops)), 3e18);
    }

    function test_CreateDropWithPermit_Revert_whenTotalAboveBalance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 20_000e18, 0, deadline);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InsufficientBalance.selector, 10_000e18, 20_000e18));
        drops.createDropWithPermit(keccak256("root"), 20_000e18, 2, WINDOW, "", deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                  CLAIM
    //////////////////////////////////////////////////////////////*/

    function test_Claim_PaysTheAccount_whenCalledByAnyone() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);

        vm.expectEmit(true, true, false, true, address(drops));
        emit FanDrops.DropClaimed(dropId, l.accounts[1], 2e18);
        vm.prank(pusher);
        drops.claim(dropId, l.accounts[1], 2e18, _proof(l, 1));

        assertEq(fair.balanceOf(l.accounts[1]), 2e18);
        assertEq(fair.balanceOf(pusher), 0);
        assertTrue(drops.isClaimed(dropId, l.accounts[1]));
        assertFalse(drops.isClaimed(dropId, l.accounts[0]));
        FanDrops.Drop memory d = drops.dropOf(dropId);
        assertEq(d.claimed, 2e18);
        assertEq(d.claimedCount, 1);
        assertEq(fair.balanceOf(address(drops)), 4e18);
    }

    function test_Claim_PaysASingleLeafDrop() public {
        Leaves memory l = _leaves(1, 5e18);
        uint256 dropId = _create(l);
        drops.claim(dropId, l.accounts[0], 5e18, new bytes32[](0));
        assertEq(fair.balanceOf(l.accounts[0]), 5e18);
    }

    function test_Claim_Revert_whenUnknownDrop() public {
        vm.expectRevert(abi.encodeWithSelector(FanDrops.UnknownDrop.selector, 7));
        drops.claim(7, artist, 1, new bytes32[](0));
    }

    function test_Claim_Revert_whenExpired() public {
        Leaves memory l = _leaves(2, 1e18);
        uint256 dropId = _create(l);
        uint64 expiresAt = uint64(block.timestamp) + WINDOW;
        vm.warp(expiresAt);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.DropExpired.selector, dropId, expiresAt));
        drops.claim(dropId, l.accounts[0], 1e18, _proof(l, 0));
    }

    function test_Claim_Succeeds_justBeforeExpiry() public {
        Leaves memory l = _leaves(2, 1e18);
        uint256 dropId = _create(l);
        vm.warp(block.timestamp + WINDOW - 1);
        drops.claim(dropId, l.accounts[0], 1e18, _proof(l, 0));
        assertEq(fair.balanceOf(l.accounts[0]), 1e18);
    }

    function test_Claim_Revert_whenWrongAmount() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        bytes32[] memory proof = _proof(l, 0);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidProof.selector, dropId, l.accounts[0], 2e18));
        drops.claim(dropId, l.accounts[0], 2e18, proof);
    }

    function test_Claim_Revert_whenAnotherAccountsProof() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        bytes32[] memory proof = _proof(l, 1);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidProof.selector, dropId, pusher, 2e18));
        drops.claim(dropId, pusher, 2e18, proof);
    }

    function test_Claim_Revert_whenProofOfAnotherDrop() public {
        Leaves memory a = _leaves(3, 1e18);
        Leaves memory b = _leaves(3, 2e18);
        _create(a);
        uint256 second = _create(b);
        bytes32[] memory proof = _proof(a, 0);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidProof.selector, second, a.accounts[0], 1e18));
        drops.claim(second, a.accounts[0], 1e18, proof);
    }

    function test_Claim_Revert_whenClaimedTwice() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        drops.claim(dropId, l.accounts[2], 3e18, _proof(l, 2));
        bytes32[] memory proof = _proof(l, 2);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.AlreadyClaimed.selector, dropId, l.accounts[2]));
        drops.claim(dropId, l.accounts[2], 3e18, proof);
        assertEq(fair.balanceOf(l.accounts[2]), 3e18);
    }

    function test_Claim_Revert_whenLeavesExceedTheTotal() public {
        // A creator whose tree promises 6 FAIR but who funds only 4: claims stop at the funded total.
        Leaves memory l = _leaves(3, 1e18);
        vm.prank(artist);
        uint256 dropId = drops.createDrop(_root(l), 4e18, 3, WINDOW, "");
        drops.claim(dropId, l.accounts[2], 3e18, _proof(l, 2));
        bytes32[] memory proof = _proof(l, 1);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.ExceedsDropTotal.selector, dropId, 5e18, 4e18));
        drops.claim(dropId, l.accounts[1], 2e18, proof);
        drops.claim(dropId, l.accounts[0], 1e18, _proof(l, 0));
        assertEq(fair.balanceOf(address(drops)), 0);
    }

    function test_Claim_Revert_whenMoreAccountsThanDeclared() public {
        Leaves memory l = _leaves(3, 1e18);
        vm.prank(artist);
        uint256 dropId = drops.createDrop(_root(l), 6e18, 2, WINDOW, "");
        drops.claim(dropId, l.accounts[0], 1e18, _proof(l, 0));
        drops.claim(dropId, l.accounts[1], 2e18, _proof(l, 1));
        bytes32[] memory proof = _proof(l, 2);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.ExceedsRecipients.selector, dropId, 2));
        drops.claim(dropId, l.accounts[2], 3e18, proof);
    }

    /*//////////////////////////////////////////////////////////////
                               CLAIM MANY
    //////////////////////////////////////////////////////////////*/

    function test_ClaimMany_PaysEveryAccount() public {
        Leaves memory l = _leaves(7, 1e18);
        uint256 dropId = _create(l);
        vm.recordLogs();
        vm.prank(pusher);
        drops.claimMany(dropId, _claims(l));
        for (uint256 i; i < 7; ++i) {
            assertEq(fair.balanceOf(l.accounts[i]), (i + 1) * 1e18);
            assertTrue(drops.isClaimed(dropId, l.accounts[i]));
        }
        assertEq(_countLogs(vm.getRecordedLogs(), FanDrops.DropClaimed.selector), 7);
        FanDrops.Drop memory d = drops.dropOf(dropId);
        assertEq(d.claimed, 28e18);
        assertEq(d.claimedCount, 7);
        assertEq(fair.balanceOf(address(drops)), 0);
    }

    function test_ClaimMany_SkipsAlreadyClaimedAndDuplicates() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        drops.claim(dropId, l.accounts[0], 1e18, _proof(l, 0));

        FanDrops.Claim[] memory all = _claims(l);
        FanDrops.Claim[] memory batch = new FanDrops.Claim[](5);
        (batch[0], batch[1], batch[2], batch[3], batch[4]) = (all[0], all[1], all[1], all[2], all[0]);
        vm.recordLogs();
        drops.claimMany(dropId, batch);

        assertEq(_countLogs(vm.getRecordedLogs(), FanDrops.DropClaimed.selector), 2);
        assertEq(fair.balanceOf(l.accounts[0]), 1e18);
        assertEq(fair.balanceOf(l.accounts[1]), 2e18);
        assertEq(fair.balanceOf(l.accounts[2]), 3e18);
        assertEq(drops.dropOf(dropId).claimedCount, 3);

        // A retried batch does nothing and does not revert.
        drops.claimMany(dropId, batch);
        assertEq(fair.balanceOf(address(drops)), 0);
    }

    function test_ClaimMany_Revert_whenOneProofInvalid() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        FanDrops.Claim[] memory claims = _claims(l);
        claims[2].amount = 4e18;
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidProof.selector, dropId, l.accounts[2], 4e18));
        drops.claimMany(dropId, claims);
        // Nothing was paid or marked.
        assertFalse(drops.isClaimed(dropId, l.accounts[0]));
        assertEq(fair.balanceOf(l.accounts[0]), 0);
    }

    function test_ClaimMany_Revert_whenExpired() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        vm.warp(block.timestamp + WINDOW);
        FanDrops.Claim[] memory claims = _claims(l);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.DropExpired.selector, dropId, uint64(block.timestamp)));
        drops.claimMany(dropId, claims);
    }

    function test_ClaimMany_Revert_whenUnknownDrop() public {
        FanDrops.Claim[] memory claims = _claims(_leaves(1, 1e18));
        vm.expectRevert(abi.encodeWithSelector(FanDrops.UnknownDrop.selector, 1));
        drops.claimMany(1, claims);
    }

    function test_ClaimMany_Revert_whenLeavesExceedTheTotal() public {
        Leaves memory l = _leaves(3, 1e18);
        vm.prank(artist);
        uint256 dropId = drops.createDrop(_root(l), 5e18, 3, WINDOW, "");
        FanDrops.Claim[] memory claims = _claims(l);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.ExceedsDropTotal.selector, dropId, 6e18, 5e18));
        drops.claimMany(dropId, claims);
    }

    function test_ClaimMany_Revert_whenMoreAccountsThanDeclared() public {
        Leaves memory l = _leaves(3, 1e18);
        vm.prank(artist);
        uint256 dropId = drops.createDrop(_root(l), 6e18, 2, WINDOW, "");
        FanDrops.Claim[] memory claims = _claims(l);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.ExceedsRecipients.selector, dropId, 2));
        drops.claimMany(dropId, claims);
    }

    function test_ClaimMany_DoesNothing_whenEmpty() public {
        uint256 dropId = _create(_leaves(2, 1e18));
        drops.claimMany(dropId, new FanDrops.Claim[](0));
        assertEq(drops.dropOf(dropId).claimed, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                 RECLAIM
    //////////////////////////////////////////////////////////////*/

    function test_Reclaim_ReturnsTheUnclaimedAfterExpiry() public {
        Leaves memory l = _leaves(3, 1e18);
        uint256 dropId = _create(l);
        drops.claim(dropId, l.accounts[1], 2e18, _proof(l, 1));
        vm.warp(block.timestamp + WINDOW);

        vm.expectEmit(true, true, false, true, address(drops));
        emit FanDrops.DropReclaimed(dropId, artist, 4e18);
        vm.prank(artist);
        assertEq(drops.reclaim(dropId), 4e18);
        assertEq(fair.balanceOf(artist), 10_000e18 - 2e18);
        assertEq(fair.balanceOf(address(drops)), 0);
        assertTrue(drops.dropOf(dropId).reclaimed);
    }

    function test_Reclaim_Revert_whenNotCreator() public {
        uint256 dropId = _create(_leaves(2, 1e18));
        vm.warp(block.timestamp + WINDOW);
        vm.prank(pusher);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.NotDropCreator.selector, dropId, pusher));
        drops.reclaim(dropId);
    }

    function test_Reclaim_Revert_whenNotExpired() public {
        uint256 dropId = _create(_leaves(2, 1e18));
        uint64 expiresAt = uint64(block.timestamp) + WINDOW;
        vm.warp(expiresAt - 1);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.DropNotExpired.selector, dropId, expiresAt));
        drops.reclaim(dropId);
    }

    function test_Reclaim_Revert_whenReclaimedTwice() public {
        uint256 dropId = _create(_leaves(2, 1e18));
        vm.warp(block.timestamp + WINDOW);
        vm.startPrank(artist);
        drops.reclaim(dropId);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.NothingToReclaim.selector, dropId));
        drops.reclaim(dropId);
        vm.stopPrank();
    }

    function test_Reclaim_Revert_whenAllClaimed() public {
        Leaves memory l = _leaves(2, 1e18);
        uint256 dropId = _create(l);
        drops.claimMany(dropId, _claims(l));
        vm.warp(block.timestamp + WINDOW);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.NothingToReclaim.selector, dropId));
        drops.reclaim(dropId);
    }

    function test_Reclaim_Revert_whenUnknownDrop() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.UnknownDrop.selector, 3));
        drops.reclaim(3);
    }

    function test_DropOf_Revert_whenUnknownDrop() public {
        vm.expectRevert(abi.encodeWithSelector(FanDrops.UnknownDrop.selector, 0));
        drops.dropOf(0);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Drop_PaysEveryLeafExactlyOnceAndReturnsTheRest(
        uint256[8] memory raw,
        uint256 firstMask,
        uint256 batchMask,
        bool expire
    ) public {
        Leaves memory l = _leaves(8, 1);
        for (uint256 i; i < 8; ++i) {
            l.amounts[i] = bound(raw[i], 1, 1_000e18);
        }
        _fund(artist, _sum(l));
        uint256 before = fair.balanceOf(artist);
        uint256 dropId = _create(l);

        // Some claimed one by one, then a batch of others (overlapping), then maybe expiry and reclaim.
        uint256 paid;
        for (uint256 i; i < 8; ++i) {
            if (firstMask & (1 << i) == 0) continue;
            drops.claim(dropId, l.accounts[i], l.amounts[i], _proof(l, i));
            paid += l.amounts[i];
        }
        FanDrops.Claim[] memory all = _claims(l);
        FanDrops.Claim[] memory batch = new FanDrops.Claim[](8);
        uint256 n;
        for (uint256 i; i < 8; ++i) {
            if (batchMask & (1 << i) == 0) continue;
            batch[n++] = all[i];
            if (firstMask & (1 << i) == 0) paid += l.amounts[i];
            firstMask |= 1 << i;
        }
        assembly ("memory-safe") {
            mstore(batch, n)
        }
        drops.claimMany(dropId, batch);

        for (uint256 i; i < 8; ++i) {
            bool claimed = firstMask & (1 << i) != 0;
            assertEq(fair.balanceOf(l.accounts[i]), claimed ? l.amounts[i] : 0);
            assertEq(drops.isClaimed(dropId, l.accounts[i]), claimed);
        }
        assertEq(drops.dropOf(dropId).claimed, paid);
        assertEq(fair.balanceOf(address(drops)), _sum(l) - paid);

        if (expire && paid < _sum(l)) {
            vm.warp(block.timestamp + WINDOW);
            vm.prank(artist);
            assertEq(drops.reclaim(dropId), _sum(l) - paid);
            assertEq(fair.balanceOf(artist), before - paid);
            assertEq(fair.balanceOf(address(drops)), 0);
        }
    }

    function testFuzz_Claim_Revert_whenLeafNotInTree(address account, uint256 amount) public {
        Leaves memory l = _leaves(4, 1e18);
        uint256 dropId = _create(l);
        for (uint256 i; i < 4; ++i) {
            vm.assume(account != l.accounts[i] || amount != l.amounts[i]);
        }
        bytes32[] memory proof = _proof(l, uint256(uint160(account)) % 4);
        vm.expectRevert(abi.encodeWithSelector(FanDrops.InvalidProof.selector, dropId, account, amount));
        drops.claim(dropId, account, amount, proof);
    }

    function _countLogs(Vm.Log[] memory logs, bytes32 topic0) internal pure returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length > 0 && logs[i].topics[0] == topic0) count++;
        }
    }
}

/// @notice Invariants over random drops (honest and over-promising), single and batch claims with
///         repeats, time passing and reclaims.
contract FanDropsInvariantTest is FanDropsFixture {
    FanDropsHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory creators = new address[](2);
        creators[0] = makeAddr("handler-artist-0");
        creators[1] = makeAddr("handler-artist-1");
        _fund(creators[0], 1_000_000e18);
        _fund(creators[1], 1_000_000e18);
        handler = new FanDropsHandler(drops, fair, creators);
        targetContract(address(handler));
    }

    /// @notice No drop ever pays more than it was funded, nor more accounts than it declared.
    function invariant_ClaimedNeverExceedsFunded() public view {
        uint256 claimedSum;
        for (uint256 id = 1; id <= drops.dropCount(); ++id) {
            FanDrops.Drop memory d = drops.dropOf(id);
            assertLe(d.claimed, d.total);
            assertLe(d.claimedCount, d.recipients);
            claimedSum += d.claimed;
        }
        assertEq(claimedSum, handler.ghostPaid());
    }

    /// @notice No fan is paid twice: each holds exactly the sum of its leaves in the drops that paid it.
    function invariant_NoDoubleClaim() public view {
        for (uint256 f; f < handler.FANS(); ++f) {
            address fan = handler.fanAt(f);
            uint256 expected;
            for (uint256 id = 1; id <= drops.dropCount(); ++id) {
                if (drops.isClaimed(id, fan)) expected += handler.amountOf(id, f);
            }
            assertEq(fair.balanceOf(fan), expected);
            assertEq(fair.balanceOf(fan), handler.ghostPaidTo(fan));
        }
    }

    /// @notice The contract holds exactly what was funded less what was paid and reclaimed.
    function invariant_BalanceCoversEveryDrop() public view {
        uint256 outstanding;
        for (uint256 id = 1; id <= drops.dropCount(); ++id) {
            FanDrops.Drop memory d = drops.dropOf(id);
            if (!d.reclaimed) outstanding += d.total - d.claimed;
        }
        assertEq(fair.balanceOf(address(drops)), outstanding);
        assertEq(
            fair.balanceOf(address(drops)), handler.ghostFunded() - handler.ghostPaid() - handler.ghostReclaimed()
        );
    }
}
