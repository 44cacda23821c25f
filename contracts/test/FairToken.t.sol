// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {FairToken} from "../src/FairToken.sol";

contract FairTokenTest is Test {
    uint256 internal constant REWARDS = 600_000_000e18;
    uint256 internal constant TREASURY = 300_000_000e18;
    uint256 internal constant FAUCET = 100_000_000e18;
    uint256 internal constant SUPPLY = REWARDS + TREASURY + FAUCET;

    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal rewards = makeAddr("rewards");
    address internal treasury = makeAddr("treasury");
    address internal faucet = makeAddr("faucet");

    FairToken internal token;

    function setUp() public {
        token = new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, TREASURY), true, _alloc(faucet, FAUCET));
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_MintsEveryAllocation() public view {
        assertEq(token.name(), "Fair");
        assertEq(token.symbol(), "FAIR");
        assertEq(token.decimals(), 18);
        assertEq(token.totalSupply(), SUPPLY);
        assertEq(token.balanceOf(rewards), REWARDS);
        assertEq(token.balanceOf(treasury), TREASURY);
        assertEq(token.balanceOf(faucet), FAUCET);
        assertEq(token.rewardsReserve(), rewards);
        assertEq(token.treasury(), treasury);
        assertEq(token.devFaucet(), faucet);
        assertTrue(token.isDevChain());
    }

    function test_Constructor_EmitsAllocated() public {
        vm.expectEmit(true, true, false, true);
        emit FairToken.Allocated(FairToken.Role.RewardsReserve, rewards, REWARDS);
        vm.expectEmit(true, true, false, true);
        emit FairToken.Allocated(FairToken.Role.Treasury, treasury, TREASURY);
        vm.expectEmit(true, true, false, true);
        emit FairToken.Allocated(FairToken.Role.DevFaucet, faucet, FAUCET);
        new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, TREASURY), true, _alloc(faucet, FAUCET));
    }

    function test_Constructor_MintsNoFaucet_whenNotDevChain() public {
        FairToken t = new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, TREASURY), false, _alloc(address(0), 0));
        assertEq(t.totalSupply(), REWARDS + TREASURY);
        assertEq(t.devFaucet(), address(0));
        assertFalse(t.isDevChain());
    }

    function test_Constructor_Revert_whenRewardsRecipientZero() public {
        vm.expectRevert(abi.encodeWithSelector(FairToken.ZeroAllocationRecipient.selector, FairToken.Role.RewardsReserve));
        new FairToken(_alloc(address(0), REWARDS), _alloc(treasury, TREASURY), false, _alloc(address(0), 0));
    }

    function test_Constructor_Revert_whenTreasuryAmountZero() public {
        vm.expectRevert(abi.encodeWithSelector(FairToken.ZeroAllocationAmount.selector, FairToken.Role.Treasury));
        new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, 0), false, _alloc(address(0), 0));
    }

    function test_Constructor_Revert_whenFaucetOnNonDevChain() public {
        vm.expectRevert(FairToken.DevFaucetNotAllowed.selector);
        new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, TREASURY), false, _alloc(faucet, FAUCET));
    }

    function test_Constructor_Revert_whenDevChainWithoutFaucet() public {
        vm.expectRevert(abi.encodeWithSelector(FairToken.ZeroAllocationRecipient.selector, FairToken.Role.DevFaucet));
        new FairToken(_alloc(rewards, REWARDS), _alloc(treasury, TREASURY), true, _alloc(address(0), 0));
    }

    /*//////////////////////////////////////////////////////////////
                                 PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_Permit_SetsAllowanceAndNonce() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("owner");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ownerKey, owner, spender, 5e18, 0, deadline);

        token.permit(owner, spender, 5e18, deadline, v, r, s);

        assertEq(token.allowance(owner, spender), 5e18);
        assertEq(token.nonces(owner), 1);
    }

    function test_Permit_Revert_whenExpired() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("owner");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ownerKey, owner, spender, 5e18, 0, deadline);
        vm.warp(deadline + 1);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(owner, spender, 5e18, deadline, v, r, s);
    }

    function test_Permit_Revert_whenReplayed() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("owner");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(ownerKey, owner, spender, 5e18, 0, deadline);
        token.permit(owner, spender, 5e18, deadline, v, r, s);

        // The nonce moved on, so the same signature now recovers another signer.
        vm.expectPartialRevert(ERC20Permit.ERC2612InvalidSigner.selector);
        token.permit(owner, spender, 5e18, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                TRANSFER
    //////////////////////////////////////////////////////////////*/

    function test_Transfer_Revert_whenBalanceTooLow() public {
        address nobody = makeAddr("nobody");
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, nobody, 0, 1));
        token.transfer(treasury, 1);
    }

    function testFuzz_Transfer_ConservesSupply(address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, TREASURY);
        uint256 sumBefore = token.balanceOf(treasury) + (to == treasury ? 0 : token.balanceOf(to));

        vm.prank(treasury);
        assertTrue(token.transfer(to, amount));

        uint256 sumAfter = token.balanceOf(treasury) + (to == treasury ? 0 : token.balanceOf(to));
        assertEq(sumAfter, sumBefore);
        assertEq(token.totalSupply(), SUPPLY);
        if (to != treasury) assertEq(token.balanceOf(treasury), TREASURY - amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _alloc(address recipient, uint256 amount) internal pure returns (FairToken.Allocation memory) {
        return FairToken.Allocation({recipient: recipient, amount: amount});
    }

    function _signPermit(uint256 key, address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }
}

/// @notice Moves FAIR around between a few holders with bounded, always-valid calls.
contract FairTokenHandler is Test {
    FairToken internal immutable token;
    address[] internal holders;

    constructor(FairToken token_, address[] memory holders_) {
        token = token_;
        holders = holders_;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = holders[fromSeed % holders.length];
        address to = holders[toSeed % holders.length];
        amount = bound(amount, 0, token.balanceOf(from));
        vm.prank(from);
        token.transfer(to, amount);
    }

    function approveAndTransferFrom(uint256 ownerSeed, uint256 spenderSeed, uint256 toSeed, uint256 amount) external {
        address owner = holders[ownerSeed % holders.length];
        address spender = holders[spenderSeed % holders.length];
        address to = holders[toSeed % holders.length];
        amount = bound(amount, 0, token.balanceOf(owner));
        vm.prank(owner);
        token.approve(spender, amount);
        vm.prank(spender);
        token.transferFrom(owner, to, amount);
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }

    function holderAt(uint256 i) external view returns (address) {
        return holders[i];
    }
}

contract FairTokenInvariantTest is Test {
    uint256 internal constant SUPPLY = 1_000_000e18;

    FairToken internal token;
    FairTokenHandler internal handler;

    function setUp() public {
        address[] memory holders = new address[](4);
        holders[0] = makeAddr("rewards");
        holders[1] = makeAddr("treasury");
        holders[2] = makeAddr("alice");
        holders[3] = makeAddr("bob");
        token = new FairToken(
            FairToken.Allocation(holders[0], SUPPLY / 2), FairToken.Allocation(holders[1], SUPPLY / 2), false, FairToken.Allocation(address(0), 0)
        );
        handler = new FairTokenHandler(token, holders);
        targetContract(address(handler));
    }

    function invariant_TotalSupplyNeverChanges() public view {
        assertEq(token.totalSupply(), SUPPLY);
    }

    function invariant_HoldersOwnTheWholeSupply() public view {
        uint256 sum;
        for (uint256 i; i < handler.holderCount(); ++i) {
            sum += token.balanceOf(handler.holderAt(i));
        }
        assertEq(sum, SUPPLY);
    }
}
