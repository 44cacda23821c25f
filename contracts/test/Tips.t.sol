// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FairToken} from "../src/FairToken.sol";
import {SplitLib} from "../src/libraries/SplitLib.sol";
import {Tips} from "../src/Tips.sol";
import {TrackRegistry} from "../src/TrackRegistry.sol";
import {SplitFixtures} from "./SplitLib.t.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {BlocklistToken, ReentrantToken} from "./mocks/TipsTokens.sol";

contract TipsTest is SplitFixtures {
    bytes32 internal constant TRACK = keccak256("track-1");
    bytes32 internal constant DIGEST = keccak256("metadata-1");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal admin = makeAddr("admin");
    address internal artist = makeAddr("artist");
    address internal fan;
    uint256 internal fanKey;

    // Sorted recipients of the 60/25/15 split.
    address internal r1 = address(0x1001);
    address internal r2 = address(0x1002);
    address internal r3 = address(0x1003);

    TrackRegistry internal registry;
    Tips internal tips;
    BlocklistToken internal usd;

    function setUp() public {
        (fan, fanKey) = makeAddrAndKey("fan");
        registry = new TrackRegistry(admin);
        tips = new Tips(registry);
        usd = new BlocklistToken();
        usd.mint(fan, 1_000_000e6);
        vm.prank(fan);
        usd.approve(address(tips), type(uint256).max);

        vm.prank(artist);
        registry.register(TRACK, DIGEST, _free(), _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000));
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsRegistry() public view {
        assertEq(address(tips.registry()), address(registry));
    }

    function test_Constructor_Revert_whenRegistryZero() public {
        vm.expectRevert(Tips.ZeroAddress.selector);
        new Tips(TrackRegistry(address(0)));
    }

    /*//////////////////////////////////////////////////////////////
                                   TIP
    //////////////////////////////////////////////////////////////*/

    function test_Tip_SplitsAtOnce() public {
        vm.expectEmit(true, true, true, true, address(tips));
        emit Tips.Tipped(TRACK, fan, address(usd), 1_000e6);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipPaid(TRACK, r1, address(usd), 600e6);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipPaid(TRACK, r2, address(usd), 250e6);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipPaid(TRACK, r3, address(usd), 150e6);

        vm.prank(fan);
        tips.tip(TRACK, address(usd), 1_000e6);

        assertEq(usd.balanceOf(r1), 600e6);
        assertEq(usd.balanceOf(r2), 250e6);
        assertEq(usd.balanceOf(r3), 150e6);
        assertEq(usd.balanceOf(fan), 1_000_000e6 - 1_000e6);
        assertEq(usd.balanceOf(address(tips)), 0);
    }

    function test_Tip_GivesRemainderToFirstRecipient() public {
        bytes32 thirds = keccak256("thirds");
        vm.prank(artist);
        registry.register(thirds, DIGEST, _free(), _three(r1, r2, r3), _shares3(333_334, 333_333, 333_333));

        vm.prank(fan);
        tips.tip(thirds, address(usd), 100);

        assertEq(usd.balanceOf(r1), 34);
        assertEq(usd.balanceOf(r2), 33);
        assertEq(usd.balanceOf(r3), 33);
    }

    function test_Tip_SkipsZeroParts() public {
        vm.recordLogs();
        vm.prank(fan);
        tips.tip(TRACK, address(usd), 1);

        assertEq(usd.balanceOf(r1), 1);
        assertEq(usd.balanceOf(r2), 0);
        assertEq(usd.balanceOf(r3), 0);
        assertEq(_countLogs(vm.getRecordedLogs(), Tips.TipPaid.selector), 1);
    }

    function test_Tip_CreditsOwed_whenRecipientCannotReceive() public {
        usd.setBlocked(r2, true);

        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipPaid(TRACK, r1, address(usd), 600e6);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipOwed(TRACK, r2, address(usd), 250e6);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.TipPaid(TRACK, r3, address(usd), 150e6);
        vm.prank(fan);
        tips.tip(TRACK, address(usd), 1_000e6);

        assertEq(usd.balanceOf(r1), 600e6);
        assertEq(usd.balanceOf(r2), 0);
        assertEq(usd.balanceOf(r3), 150e6);
        assertEq(tips.owed(r2, address(usd)), 250e6);
        assertEq(usd.balanceOf(address(tips)), 250e6);

        // A second tip adds up.
        vm.prank(fan);
        tips.tip(TRACK, address(usd), 100e6);
        assertEq(tips.owed(r2, address(usd)), 275e6);

        // Once it can receive, the recipient pulls its balance.
        usd.setBlocked(r2, false);
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.Withdrawn(r2, address(usd), r2, 275e6);
        vm.prank(r2);
        assertEq(tips.withdraw(address(usd)), 275e6);
        assertEq(usd.balanceOf(r2), 275e6);
        assertEq(tips.owed(r2, address(usd)), 0);
        assertEq(usd.balanceOf(address(tips)), 0);
    }

    function test_Tip_Revert_whenZeroAmount() public {
        vm.prank(fan);
        vm.expectRevert(Tips.ZeroAmount.selector);
        tips.tip(TRACK, address(usd), 0);
    }

    function test_Tip_Revert_whenUnknownTrack() public {
        bytes32 unknown = keccak256("nope");
        // The registry's error and the tips contract's error share one selector.
        assertEq(Tips.UnknownTrack.selector, TrackRegistry.UnknownTrack.selector);
        vm.prank(fan);
        vm.expectRevert(abi.encodeWithSelector(Tips.UnknownTrack.selector, unknown));
        tips.tip(unknown, address(usd), 1e6);
    }

    function test_Tip_Revert_whenFeeOnTransfer() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100);
        fot.mint(fan, 1_000e18);
        vm.startPrank(fan);
        fot.approve(address(tips), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(Tips.UnsupportedToken.selector, address(fot)));
        tips.tip(TRACK, address(fot), 100e18);
        vm.stopPrank();
    }

    function test_Tip_Revert_whenAllowanceTooLow() public {
        vm.prank(fan);
        usd.approve(address(tips), 1e6 - 1);
        vm.prank(fan);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(tips), 1e6 - 1, 1e6)
        );
        tips.tip(TRACK, address(usd), 1e6);
    }

    function test_Tip_Revert_whenTokenIsNotAContract() public {
        vm.prank(fan);
        vm.expectRevert();
        tips.tip(TRACK, makeAddr("eoa"), 1e6);
    }

    function test_Tip_Revert_whenTokenReentersOnPull() public {
        ReentrantToken evil = new ReentrantToken();
        evil.mint(fan, 1_000e18);
        evil.mint(address(evil), 1_000e18);
        evil.selfApprove(address(tips), type(uint256).max);
        // While pulling the fan's tip, the token tips again (from its own balance).
        evil.arm(address(tips), abi.encodeCall(Tips.tip, (TRACK, address(evil), 1e18)), false, true);
        vm.startPrank(fan);
        evil.approve(address(tips), type(uint256).max);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        tips.tip(TRACK, address(evil), 100e18);
        vm.stopPrank();
        assertEq(evil.reentered(), 0);
    }

    function test_Tip_CreditsOwed_whenTokenReentersOnPush() public {
        ReentrantToken evil = _evilTipped(100e18);
        // Every push re-entered, failed, and was credited instead: nothing left the contract.
        assertEq(evil.reentered(), 0);
        assertEq(evil.balanceOf(r1) + evil.balanceOf(r2) + evil.balanceOf(r3), 0);
        assertEq(tips.owed(r1, address(evil)), 60e18);
        assertEq(tips.owed(r2, address(evil)), 25e18);
        assertEq(tips.owed(r3, address(evil)), 15e18);
        assertEq(evil.balanceOf(address(tips)), 100e18);
    }

    function testFuzz_Tip_PaysEveryRecipientItsPart(uint256 seed, uint256 n, uint256 amount) public {
        n = bound(n, 1, SplitLib.MAX_RECIPIENTS);
        amount = bound(amount, 1, 1e36);
        (address[] memory r, uint32[] memory s) = _randomSplit(seed, n);
        bytes32 trackId = keccak256(abi.encode("fuzz", seed));
        vm.prank(artist);
        registry.register(trackId, DIGEST, _free(), r, s);
        usd.mint(fan, amount);

        vm.prank(fan);
        tips.tip(trackId, address(usd), amount);

        uint256[] memory expected = _allocate(amount, s);
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            assertEq(usd.balanceOf(r[i]), expected[i]);
            sum += usd.balanceOf(r[i]);
        }
        assertEq(sum, amount);
        assertEq(usd.balanceOf(address(tips)), 0);
    }

    /*//////////////////////////////////////////////////////////////
                             TIP WITH PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_TipWithPermit_SplitsWithoutApproval() public {
        FairToken fair = _fairFor(fan, 1_000e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(fair, fanKey, fan, address(tips), 10e18, 0, deadline);

        vm.expectEmit(true, true, true, true, address(tips));
        emit Tips.Tipped(TRACK, fan, address(fair), 10e18);
        vm.prank(fan);
        tips.tipWithPermit(TRACK, address(fair), 10e18, deadline, v, r, s);

        assertEq(fair.balanceOf(r1), 6e18);
        assertEq(fair.balanceOf(r2), 2.5e18);
        assertEq(fair.balanceOf(r3), 1.5e18);
        assertEq(fair.balanceOf(fan), 990e18);
        assertEq(fair.allowance(fan, address(tips)), 0);
        assertEq(fair.nonces(fan), 1);
    }

    function test_TipWithPermit_Succeeds_whenPermitFrontRun() public {
        FairToken fair = _fairFor(fan, 1_000e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(fair, fanKey, fan, address(tips), 10e18, 0, deadline);
        // Someone copies the permit from the mempool and submits it first.
        fair.permit(fan, address(tips), 10e18, deadline, v, r, s);

        vm.prank(fan);
        tips.tipWithPermit(TRACK, address(fair), 10e18, deadline, v, r, s);
        assertEq(fair.balanceOf(r1), 6e18);
    }

    function test_TipWithPermit_Revert_whenPermitInvalidAndNoAllowance() public {
        FairToken fair = _fairFor(fan, 1_000e18);
        uint256 deadline = block.timestamp + 1 hours;
        // Signed for another spender: the permit fails, and there is no allowance to fall back on.
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(fair, fanKey, fan, makeAddr("other"), 10e18, 0, deadline);
        vm.prank(fan);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(tips), 0, 10e18)
        );
        tips.tipWithPermit(TRACK, address(fair), 10e18, deadline, v, r, s);
    }

    function test_TipWithPermit_Revert_whenZeroAmount() public {
        FairToken fair = _fairFor(fan, 1_000e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(fair, fanKey, fan, address(tips), 0, 0, deadline);
        vm.prank(fan);
        vm.expectRevert(Tips.ZeroAmount.selector);
        tips.tipWithPermit(TRACK, address(fair), 0, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function test_WithdrawTo_SendsElsewhere_whenStillBlocked() public {
        usd.setBlocked(r2, true);
        vm.prank(fan);
        tips.tip(TRACK, address(usd), 1_000e6);

        address wallet = makeAddr("r2-other-wallet");
        vm.expectEmit(true, true, false, true, address(tips));
        emit Tips.Withdrawn(r2, address(usd), wallet, 250e6);
        vm.prank(r2);
        assertEq(tips.withdrawTo(address(usd), wallet), 250e6);
        assertEq(usd.balanceOf(wallet), 250e6);
        assertEq(tips.owed(r2, address(usd)), 0);
    }

    function test_Withdraw_Revert_whenStillBlocked() public {
        usd.setBlocked(r2, true);
        vm.prank(fan);
        tips.tip(TRACK, address(usd), 1_000e6);

        vm.prank(r2);
        vm.expectRevert(abi.encodeWithSelector(BlocklistToken.Blocked.selector, r2));
        tips.withdraw(address(usd));
        // Nothing was lost: the balance is still owed.
        assertEq(tips.owed(r2, address(usd)), 250e6);
    }

    function test_Withdraw_Revert_whenNothingOwed() public {
        vm.prank(r1);
        vm.expectRevert(abi.encodeWithSelector(Tips.NothingOwed.selector, address(usd)));
        tips.withdraw(address(usd));
    }

    function test_WithdrawTo_Revert_whenNothingOwed() public {
        vm.prank(r1);
        vm.expectRevert(abi.encodeWithSelector(Tips.NothingOwed.selector, address(usd)));
        tips.withdrawTo(address(usd), r2);
    }

    function test_WithdrawTo_Revert_whenToZero() public {
        vm.prank(r1);
        vm.expectRevert(Tips.ZeroAddress.selector);
        tips.withdrawTo(address(usd), address(0));
    }

    function test_Withdraw_Revert_whenTokenReentersWithdraw() public {
        ReentrantToken evil = _evilTipped(100e18);
        // The armed token re-enters `withdraw` from inside the payout transfer: the whole withdrawal reverts.
        vm.prank(r1);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        tips.withdraw(address(evil));
        assertEq(tips.owed(r1, address(evil)), 60e18);
        assertEq(evil.balanceOf(r1), 0);

        // Disarmed, the same withdrawal works.
        evil.arm(address(0), "", false, false);
        vm.prank(r1);
        tips.withdraw(address(evil));
        assertEq(evil.balanceOf(r1), 60e18);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _free() internal pure returns (TrackRegistry.AccessRule memory) {
        return TrackRegistry.AccessRule(0, address(0), 0);
    }

    /// @dev A token armed to re-enter `withdraw` on every `transfer`, tipped `amount` to TRACK.
    function _evilTipped(uint256 amount) internal returns (ReentrantToken evil) {
        evil = new ReentrantToken();
        evil.mint(fan, amount);
        evil.arm(address(tips), abi.encodeCall(Tips.withdraw, (address(evil))), true, false);
        vm.startPrank(fan);
        evil.approve(address(tips), amount);
        tips.tip(TRACK, address(evil), amount);
        vm.stopPrank();
    }

    function _fairFor(address holder, uint256 amount) internal returns (FairToken fair) {
        address faucet = makeAddr("faucet");
        fair = new FairToken(
            FairToken.Allocation(makeAddr("rewards"), 600_000_000e18),
            FairToken.Allocation(makeAddr("treasury"), 300_000_000e18),
            true,
            FairToken.Allocation(faucet, 100_000_000e18)
        );
        vm.prank(faucet);
        fair.transfer(holder, amount);
    }

    function _signPermit(
        FairToken token,
        uint256 key,
        address owner,
        address spender,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (uint8 v, bytes32 r, bytes32 s) {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }

    function _allocate(uint256 amount, uint32[] memory shares) internal pure returns (uint256[] memory) {
        return SplitLib.allocate(amount, shares);
    }

    function _countLogs(Vm.Log[] memory logs, bytes32 topic0) internal view returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(tips) && logs[i].topics[0] == topic0) ++count;
        }
    }
}
