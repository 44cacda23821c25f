// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {TestStablecoin} from "../src/TestStablecoin.sol";

contract TestStablecoinTest is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    uint256 internal constant MAX = 10_000e6;

    address internal admin = makeAddr("admin");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    TestStablecoin internal usd;

    function setUp() public {
        vm.warp(1_700_000_000);
        usd = new TestStablecoin(admin);
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsMetadataAndRoles() public view {
        assertEq(usd.name(), "Test USD");
        assertEq(usd.symbol(), "tUSD");
        assertEq(usd.decimals(), 6);
        assertEq(usd.totalSupply(), 0);
        assertEq(usd.FAUCET_MAX_PER_CALL(), MAX);
        assertEq(usd.FAUCET_INTERVAL(), 1 hours);
        assertTrue(usd.hasRole(usd.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(usd.hasRole(usd.MINTER_ROLE(), admin));
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(TestStablecoin.ZeroAdmin.selector);
        new TestStablecoin(address(0));
    }

    /*//////////////////////////////////////////////////////////////
                                 FAUCET
    //////////////////////////////////////////////////////////////*/

    function test_Faucet_MintsToRecipientAndEmits() public {
        vm.expectEmit(true, true, false, true);
        emit TestStablecoin.FaucetDrip(alice, bob, MAX);
        vm.prank(bob);
        usd.faucet(alice, MAX);

        assertEq(usd.balanceOf(alice), MAX);
        assertEq(usd.balanceOf(bob), 0);
        assertEq(usd.nextFaucetAt(alice), block.timestamp + 1 hours);
    }

    function test_Faucet_Revert_whenAmountAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(TestStablecoin.FaucetAmountTooLarge.selector, MAX + 1, MAX));
        usd.faucet(alice, MAX + 1);
    }

    function test_Faucet_Revert_whenZeroAmount() public {
        vm.expectRevert(TestStablecoin.FaucetZeroAmount.selector);
        usd.faucet(alice, 0);
    }

    function test_Faucet_Revert_whenRecipientZero() public {
        vm.expectRevert(abi.encodeWithSignature("ERC20InvalidReceiver(address)", address(0)));
        usd.faucet(address(0), 1);
    }

    function test_Faucet_Revert_whenRateLimited() public {
        usd.faucet(alice, 1e6);
        uint256 availableAt = block.timestamp + 1 hours;

        // Another caller does not reset the limit: it is per recipient.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(TestStablecoin.FaucetRateLimited.selector, alice, availableAt));
        usd.faucet(alice, 1e6);

        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(TestStablecoin.FaucetRateLimited.selector, alice, availableAt));
        usd.faucet(alice, 1e6);
    }

    function test_Faucet_AllowsAgainAfterInterval() public {
        usd.faucet(alice, MAX);
        vm.warp(block.timestamp + 1 hours);
        usd.faucet(alice, MAX);
        assertEq(usd.balanceOf(alice), 2 * MAX);
    }

    function test_Faucet_LimitIsPerRecipient() public {
        usd.faucet(alice, MAX);
        usd.faucet(bob, MAX);
        assertEq(usd.balanceOf(alice), MAX);
        assertEq(usd.balanceOf(bob), MAX);
    }

    function testFuzz_Faucet_NeverMintsMoreThanCapPerInterval(uint256 amount, uint256 wait) public {
        amount = bound(amount, 1, MAX);
        wait = bound(wait, 0, 3 hours);
        usd.faucet(alice, amount);
        vm.warp(block.timestamp + wait);
        if (wait < 1 hours) {
            vm.expectPartialRevert(TestStablecoin.FaucetRateLimited.selector);
            usd.faucet(alice, amount);
            assertEq(usd.balanceOf(alice), amount);
        } else {
            usd.faucet(alice, amount);
            assertEq(usd.balanceOf(alice), 2 * amount);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                  MINT
    //////////////////////////////////////////////////////////////*/

    function test_Mint_ByAdminWithoutLimit() public {
        vm.prank(admin);
        usd.mint(alice, 1_000_000_000e6);
        assertEq(usd.balanceOf(alice), 1_000_000_000e6);
    }

    function test_Mint_ByGrantedMinter() public {
        bytes32 minterRole = usd.MINTER_ROLE();
        vm.prank(admin);
        usd.grantRole(minterRole, bob);
        vm.prank(bob);
        usd.mint(alice, 5e6);
        assertEq(usd.balanceOf(alice), 5e6);
    }

    function test_Mint_Revert_whenNotMinter() public {
        bytes32 minterRole = usd.MINTER_ROLE();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, minterRole));
        usd.mint(alice, 1);
    }

    /*//////////////////////////////////////////////////////////////
                                 PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_Permit_SetsAllowanceAndNonce() public {
        (address owner, uint256 key) = makeAddrAndKey("owner");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, bob, 7e6, 0, deadline);

        usd.permit(owner, bob, 7e6, deadline, v, r, s);

        assertEq(usd.allowance(owner, bob), 7e6);
        assertEq(usd.nonces(owner), 1);
    }

    function test_Permit_Revert_whenExpired() public {
        (address owner, uint256 key) = makeAddrAndKey("owner");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, bob, 7e6, 0, deadline);
        vm.warp(deadline + 1);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        usd.permit(owner, bob, 7e6, deadline, v, r, s);
    }

    function test_Permit_Revert_whenReplayed() public {
        (address owner, uint256 key) = makeAddrAndKey("owner");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, bob, 7e6, 0, deadline);
        usd.permit(owner, bob, 7e6, deadline, v, r, s);

        vm.expectPartialRevert(ERC20Permit.ERC2612InvalidSigner.selector);
        usd.permit(owner, bob, 7e6, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _signPermit(uint256 key, address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", usd.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }
}
