// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {PayoutDistributor} from "../src/PayoutDistributor.sol";
import {SubscriptionVault} from "../src/SubscriptionVault.sol";
import {EarningsLib} from "../src/libraries/EarningsLib.sol";
import {FeeTakingToken, MockUSD6, ReentrantToken} from "./mocks/PayoutMocks.sol";
import {SubscriptionVaultHandler} from "./handlers/SubscriptionVaultHandler.sol";

contract SubscriptionVaultTest is Test {
    uint256 internal constant PRICE = 10e6; // 10 USD
    uint64 internal constant PERIOD = 30 days;

    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal admin = makeAddr("admin");
    address internal operator = makeAddr("operator");
    address internal alice;
    uint256 internal aliceKey;
    address internal bob = makeAddr("bob");

    MockUSD6 internal usd;
    PayoutDistributor internal dist;
    SubscriptionVault internal vault;

    struct Sig {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    function setUp() public {
        vm.warp(1_700_000_000);
        (alice, aliceKey) = makeAddrAndKey("alice");
        usd = new MockUSD6();
        dist = new PayoutDistributor(admin, operator, address(0), 0);
        vault = new SubscriptionVault(admin, operator, usd, PRICE, PERIOD, dist);
        for (uint256 i; i < 2; ++i) {
            address who = i == 0 ? alice : bob;
            usd.mint(who, 1_000_000e6);
            vm.prank(who);
            usd.approve(address(vault), type(uint256).max);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsTermsAndRoles() public view {
        assertEq(address(vault.token()), address(usd));
        assertEq(vault.pricePerPeriod(), PRICE);
        assertEq(vault.periodSeconds(), PERIOD);
        assertEq(address(vault.distributor()), address(dist));
        assertTrue(vault.hasRole(vault.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(vault.hasRole(vault.OPERATOR_ROLE(), operator));
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(SubscriptionVault.ZeroAddress.selector);
        new SubscriptionVault(address(0), operator, usd, PRICE, PERIOD, dist);
    }

    function test_Constructor_Revert_whenTokenZero() public {
        vm.expectRevert(SubscriptionVault.ZeroAddress.selector);
        new SubscriptionVault(admin, operator, IERC20(address(0)), PRICE, PERIOD, dist);
    }

    function test_Constructor_Revert_whenDistributorZero() public {
        vm.expectRevert(SubscriptionVault.ZeroAddress.selector);
        new SubscriptionVault(admin, operator, usd, PRICE, PERIOD, PayoutDistributor(address(0)));
    }

    function test_Constructor_Revert_whenPriceZero() public {
        vm.expectRevert(SubscriptionVault.InvalidTerms.selector);
        new SubscriptionVault(admin, operator, usd, 0, PERIOD, dist);
    }

    function test_Constructor_Revert_whenPriceTooLarge() public {
        vm.expectRevert(SubscriptionVault.InvalidTerms.selector);
        new SubscriptionVault(admin, operator, usd, uint256(type(uint128).max) + 1, PERIOD, dist);
    }

    function test_Constructor_Revert_whenPeriodZero() public {
        vm.expectRevert(SubscriptionVault.InvalidTerms.selector);
        new SubscriptionVault(admin, operator, usd, PRICE, 0, dist);
    }

    /*//////////////////////////////////////////////////////////////
                               SUBSCRIBE
    //////////////////////////////////////////////////////////////*/

    function test_Subscribe_StartsNow() public {
        uint64 now_ = uint64(block.timestamp);
        vm.expectEmit(true, false, false, true, address(vault));
        emit SubscriptionVault.Subscribed(alice, 3, 3 * PRICE, now_, now_ + 3 * PERIOD);
        vm.prank(alice);
        vault.subscribe(3);

        (uint64 start, uint64 end, uint256 paid, uint256 released) = vault.subscriptionOf(alice);
        assertEq(start, now_);
        assertEq(end, now_ + 3 * PERIOD);
        assertEq(paid, 3 * PRICE);
        assertEq(released, 0);
        assertEq(usd.balanceOf(address(vault)), 3 * PRICE);
        assertTrue(vault.isActive(alice));
    }

    function test_Subscribe_ExtendsTheRunningSubscription() public {
        uint64 now_ = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(1);
        vm.warp(now_ + 10 days);
        uint256 earnedBefore = vault.earned(alice, uint64(block.timestamp));
        vm.prank(alice);
        vault.subscribe(2);
        (uint64 start, uint64 end, uint256 paid,) = vault.subscriptionOf(alice);
        assertEq(start, now_);
        assertEq(end, now_ + 3 * PERIOD);
        assertEq(paid, 3 * PRICE);
        assertEq(vault.earned(alice, uint64(block.timestamp)), earnedBefore);
    }

    function test_Subscribe_StartsNewSegment_afterLapse() public {
        uint64 first = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(1);
        vm.warp(first + PERIOD + 5 days);
        assertFalse(vault.isActive(alice));
        vm.prank(alice);
        vault.subscribe(1);
        (uint64 start, uint64 end, uint256 paid,) = vault.subscriptionOf(alice);
        assertEq(start, block.timestamp);
        assertEq(end, block.timestamp + PERIOD);
        assertEq(paid, 2 * PRICE);
        // The first period is fully earned; nothing is earned in the gap.
        assertEq(vault.earned(alice, first + PERIOD), PRICE);
        assertEq(vault.earned(alice, uint64(block.timestamp)), PRICE);
        assertEq(vault.earned(alice, uint64(block.timestamp) + PERIOD / 2), PRICE + PRICE / 2);
        assertEq(vault.earned(alice, end), 2 * PRICE);
    }

    function test_Subscribe_Revert_whenZeroPeriods() public {
        vm.expectRevert(SubscriptionVault.ZeroPeriods.selector);
        vm.prank(alice);
        vault.subscribe(0);
    }

    function test_Subscribe_Revert_whenFeeOnTransfer() public {
        FeeTakingToken fee = new FeeTakingToken();
        SubscriptionVault feeVault = new SubscriptionVault(admin, operator, IERC20(address(fee)), PRICE, PERIOD, dist);
        fee.mint(alice, 100e6);
        vm.startPrank(alice);
        fee.approve(address(feeVault), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.UnsupportedToken.selector, address(fee)));
        feeVault.subscribe(1);
        vm.stopPrank();
    }

    function test_Subscribe_Revert_whenNotApproved() public {
        address carol = makeAddr("carol");
        usd.mint(carol, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(vault), 0, PRICE));
        vm.prank(carol);
        vault.subscribe(1);
    }

    function test_Subscribe_Revert_whenSubscriptionTooLarge() public {
        SubscriptionVault longVault = new SubscriptionVault(admin, operator, usd, 1, type(uint64).max / 4, dist);
        vm.startPrank(alice);
        usd.approve(address(longVault), type(uint256).max);
        vm.expectRevert(SubscriptionVault.SubscriptionTooLarge.selector);
        longVault.subscribe(4);
        vm.stopPrank();
    }

    function test_Subscribe_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        SubscriptionVault reVault = new SubscriptionVault(admin, operator, IERC20(address(re)), PRICE, PERIOD, dist);
        re.mint(alice, 100e6);
        vm.prank(alice);
        re.approve(address(reVault), type(uint256).max);
        re.arm(address(reVault), abi.encodeCall(SubscriptionVault.subscribe, (1)));
        vm.prank(alice);
        reVault.subscribe(1);
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        (,, uint256 paid,) = reVault.subscriptionOf(alice);
        assertEq(paid, PRICE);
    }

    /*//////////////////////////////////////////////////////////////
                                 PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_SubscribeWithPermit_PaysWithASignature() public {
        vm.prank(alice);
        usd.approve(address(vault), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, address(vault), 2 * PRICE, 0, deadline);
        vm.prank(alice);
        vault.subscribeWithPermit(2, deadline, v, r, s);
        (,, uint256 paid,) = vault.subscriptionOf(alice);
        assertEq(paid, 2 * PRICE);
        assertEq(usd.nonces(alice), 1);
    }

    function test_SubscribeWithPermit_Succeeds_whenPermitAlreadyUsed() public {
        vm.prank(alice);
        usd.approve(address(vault), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, address(vault), 2 * PRICE, 0, deadline);
        usd.permit(alice, address(vault), 2 * PRICE, deadline, v, r, s); // front-run by someone
        vm.prank(alice);
        vault.subscribeWithPermit(2, deadline, v, r, s);
        (,, uint256 paid,) = vault.subscriptionOf(alice);
        assertEq(paid, 2 * PRICE);
    }

    function test_SubscribeWithPermit_Revert_whenPermitInvalidAndNoAllowance() public {
        vm.prank(alice);
        usd.approve(address(vault), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(aliceKey, alice, address(vault), PRICE, 0, deadline); // too little
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(vault), 0, 2 * PRICE));
        vm.prank(alice);
        vault.subscribeWithPermit(2, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                            RELAYED PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_SubscribeForWithPermit_SubscriberPaysRelayerSends() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, 3 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), 3 * PRICE, 0, deadline);
        uint64 now_ = uint64(block.timestamp);
        uint256 bobBefore = usd.balanceOf(bob);

        vm.expectEmit(true, false, false, true, address(vault));
        emit SubscriptionVault.Subscribed(carol, 3, 3 * PRICE, now_, now_ + 3 * PERIOD);
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 3, deadline, v, r, s);

        (uint64 start, uint64 end, uint256 paid,) = vault.subscriptionOf(carol);
        assertEq(start, now_);
        assertEq(end, now_ + 3 * PERIOD);
        assertEq(paid, 3 * PRICE);
        assertEq(usd.balanceOf(carol), 0);
        assertEq(usd.balanceOf(bob), bobBefore, "the relayer pays nothing but gas");
        assertEq(usd.allowance(carol, address(vault)), 0);
        (,, uint256 bobPaid,) = vault.subscriptionOf(bob);
        assertEq(bobPaid, 0);
    }

    function test_SubscribeForWithPermit_Succeeds_whenPermitFrontRun() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, 2 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), 2 * PRICE, 0, deadline);
        usd.permit(carol, address(vault), 2 * PRICE, deadline, v, r, s); // someone copied it from the mempool
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 2, deadline, v, r, s);
        (,, uint256 paid,) = vault.subscriptionOf(carol);
        assertEq(paid, 2 * PRICE);
        assertEq(usd.allowance(carol, address(vault)), 0);
    }

    function test_SubscribeForWithPermit_Revert_whenSignedBySomeoneElse() public {
        uint256 deadline = block.timestamp + 1 hours;
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        // alice approved the vault for everything (setUp); a signature that is not hers must not spend it.
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(malloryKey, alice, address(vault), PRICE, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, alice));
        vm.prank(bob);
        vault.subscribeForWithPermit(alice, 1, deadline, v, r, s);
    }

    function test_SubscribeForWithPermit_Revert_whenPeriodsDifferFromThePermit() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, 10 * PRICE);
        vm.prank(carol);
        usd.approve(address(vault), 10 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), PRICE, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, carol));
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 10, deadline, v, r, s);
    }

    function test_SubscribeForWithPermit_Revert_whenReplayed() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, 10 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), PRICE, 0, deadline);
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 1, deadline, v, r, s);
        vm.prank(carol);
        usd.approve(address(vault), type(uint256).max); // an allowance given for something else
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, carol));
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 1, deadline, v, r, s);
        (,, uint256 paid,) = vault.subscriptionOf(carol);
        assertEq(paid, PRICE);
    }

    function test_SubscribeForWithPermit_Revert_whenExpired() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), PRICE, 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, carol));
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 1, deadline, v, r, s);
    }

    function test_SubscribeForWithPermit_Revert_whenSubscriberZero() public {
        vm.expectRevert(SubscriptionVault.ZeroAddress.selector);
        vm.prank(bob);
        vault.subscribeForWithPermit(address(0), 1, block.timestamp, 27, bytes32(0), bytes32(0));
    }

    function test_SubscribeForWithPermit_Revert_whenZeroPeriods() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), 0, 0, deadline);
        vm.expectRevert(SubscriptionVault.ZeroPeriods.selector);
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 0, deadline, v, r, s);
    }

    function test_SubscribeForWithPermit_Revert_whenBalanceTooLow() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usd.mint(carol, PRICE - 1);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, carol, address(vault), PRICE, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, carol, PRICE - 1, PRICE));
        vm.prank(bob);
        vault.subscribeForWithPermit(carol, 1, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                 CANCEL
    //////////////////////////////////////////////////////////////*/

    function test_Cancel_RefundsPeriodsNotStarted() public {
        uint64 start = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(5);
        vm.warp(start + PERIOD + 3 days); // in the second period
        uint256 balanceBefore = usd.balanceOf(alice);

        vm.expectEmit(true, false, false, true, address(vault));
        emit SubscriptionVault.Cancelled(alice, 3 * PRICE, start + 2 * PERIOD);
        vm.prank(alice);
        vault.cancel();

        assertEq(usd.balanceOf(alice), balanceBefore + 3 * PRICE);
        (uint64 s, uint64 end, uint256 paid,) = vault.subscriptionOf(alice);
        assertEq(s, start);
        assertEq(end, start + 2 * PERIOD);
        assertEq(paid, 2 * PRICE);
        assertTrue(vault.isActive(alice)); // the current period runs to its end
        assertEq(vault.earned(alice, end), 2 * PRICE);
    }

    function test_Cancel_Revert_whenNeverSubscribed() public {
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.NotActive.selector, alice));
        vm.prank(alice);
        vault.cancel();
    }

    function test_Cancel_Revert_whenLapsed() public {
        vm.prank(alice);
        vault.subscribe(1);
        vm.warp(block.timestamp + PERIOD);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.NotActive.selector, alice));
        vm.prank(alice);
        vault.cancel();
    }

    function test_Cancel_Revert_whenNothingToRefund() public {
        vm.prank(alice);
        vault.subscribe(2);
        vm.warp(block.timestamp + PERIOD); // first second of the last period
        vm.expectRevert(SubscriptionVault.NothingToRefund.selector);
        vm.prank(alice);
        vault.cancel();
    }

    function test_Cancel_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        SubscriptionVault reVault = new SubscriptionVault(admin, operator, IERC20(address(re)), PRICE, PERIOD, dist);
        re.mint(alice, 100e6);
        vm.startPrank(alice);
        re.approve(address(reVault), type(uint256).max);
        reVault.subscribe(4);
        vm.stopPrank();
        re.arm(address(reVault), abi.encodeCall(SubscriptionVault.cancel, ()));
        vm.prank(alice);
        reVault.cancel();
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        assertEq(re.balanceOf(alice), 100e6 - PRICE);
    }

    /*//////////////////////////////////////////////////////////////
                                 RELEASE
    //////////////////////////////////////////////////////////////*/

    function test_Earned_GrowsLinearly() public {
        uint64 start = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(2);
        assertEq(vault.earned(alice, start - 1), 0);
        assertEq(vault.earned(alice, start), 0);
        assertEq(vault.earned(alice, start + PERIOD / 2), PRICE / 2);
        assertEq(vault.earned(alice, start + 1), PRICE / PERIOD); // floor: 3 base units per second
        assertEq(vault.earned(alice, start + 2 * PERIOD), 2 * PRICE);
        assertEq(vault.earned(alice, type(uint64).max), 2 * PRICE);
        assertEq(vault.earned(bob, start + PERIOD), 0);
    }

    function test_Release_FundsTheDistributorOnce() public {
        uint64 start = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(1);
        vm.prank(bob);
        vault.subscribe(2);
        vm.warp(start + 15 days);
        address[] memory list = new address[](2);
        (list[0], list[1]) = (alice, bob);

        vm.expectEmit(true, false, false, true, address(vault));
        emit SubscriptionVault.Released(alice, start + 10 days, PRICE / 3);
        vm.expectEmit(true, false, false, true, address(vault));
        emit SubscriptionVault.Released(bob, start + 10 days, PRICE / 3);
        vm.expectEmit(true, true, false, true, address(dist));
        emit PayoutDistributor.Funded(address(usd), address(vault), 2 * (PRICE / 3));
        vm.prank(operator);
        vault.release(list, start + 10 days);

        assertEq(dist.funded(address(usd)), 2 * (PRICE / 3));
        assertEq(usd.balanceOf(address(dist)), 2 * (PRICE / 3));
        assertEq(usd.balanceOf(address(vault)), 3 * PRICE - 2 * (PRICE / 3));
        assertEq(usd.allowance(address(vault), address(dist)), 0);
        (,,, uint256 released) = vault.subscriptionOf(alice);
        assertEq(released, PRICE / 3);
    }

    function test_Release_SkipsNothingNew() public {
        vm.prank(alice);
        vault.subscribe(1);
        vm.warp(block.timestamp + 1 days);
        address[] memory list = new address[](3);
        (list[0], list[1], list[2]) = (alice, alice, bob);
        vm.startPrank(operator);
        vault.release(list, uint64(block.timestamp));
        uint256 funded = dist.funded(address(usd));
        vm.recordLogs();
        vault.release(list, uint64(block.timestamp)); // nothing new: no event, no fund
        assertEq(vm.getRecordedLogs().length, 0);
        vault.release(list, uint64(block.timestamp) - 1 hours); // an earlier time: nothing
        vm.stopPrank();
        assertEq(dist.funded(address(usd)), funded);
        assertEq(funded, PRICE / 30);
    }

    function test_Release_Revert_whenNotOperator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, vault.OPERATOR_ROLE())
        );
        vm.prank(alice);
        vault.release(new address[](0), uint64(block.timestamp));
    }

    function test_Release_Revert_whenUntilInFuture() public {
        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.UntilInFuture.selector, uint64(block.timestamp + 1)));
        vm.prank(operator);
        vault.release(new address[](0), uint64(block.timestamp + 1));
    }

    function test_Release_NeverTakesBackAfterCancel() public {
        uint64 start = uint64(block.timestamp);
        vm.prank(alice);
        vault.subscribe(3);
        vm.warp(start + 20 days);
        address[] memory list = new address[](1);
        list[0] = alice;
        vm.prank(operator);
        vault.release(list, uint64(block.timestamp));
        vm.prank(alice);
        vault.cancel();
        vm.warp(start + 365 days);
        vm.prank(operator);
        vault.release(list, uint64(block.timestamp));
        (,, uint256 paid, uint256 released) = vault.subscriptionOf(alice);
        assertEq(paid, PRICE);
        assertEq(released, PRICE);
        assertEq(usd.balanceOf(address(vault)), 0);
        assertEq(dist.funded(address(usd)), PRICE);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    /// @dev earned(until) never decreases as `until` grows, and stays within [0, paid].
    function testFuzz_Earned_IsMonotonic(uint256 price, uint64 period, uint32 periods, uint64 a, uint64 b) public {
        SubscriptionVault v = _vault(price, period);
        periods = uint32(bound(periods, 1, 120));
        _subscribe(v, alice, periods);
        (uint64 lo, uint64 hi) = a < b ? (a, b) : (b, a);
        uint256 eLo = v.earned(alice, lo);
        uint256 eHi = v.earned(alice, hi);
        assertLe(eLo, eHi);
        (,, uint256 paid,) = v.subscriptionOf(alice);
        assertLe(eHi, paid);
    }

    /// @dev Releasing at random epoch boundaries sends exactly what was paid, to the base unit.
    function testFuzz_Release_SumOfDeltasEqualsPaid(uint256 price, uint64 period, uint32 periods, uint256[12] memory gaps) public {
        SubscriptionVault v = _vault(price, period);
        periods = uint32(bound(periods, 1, 24));
        _subscribe(v, alice, periods);
        (uint64 start, uint64 end, uint256 paid,) = v.subscriptionOf(alice);
        address[] memory list = new address[](1);
        list[0] = alice;

        uint256 sum;
        uint256 previous;
        uint64 t = start;
        for (uint256 i; i < gaps.length; ++i) {
            t += uint64(bound(gaps[i], 0, (end - start) / 6));
            vm.warp(t);
            vm.prank(operator);
            v.release(list, t);
            uint256 e = v.earned(alice, t);
            assertGe(e, previous);
            sum += e - previous;
            previous = e;
        }
        vm.warp(end);
        vm.prank(operator);
        v.release(list, end);
        sum += v.earned(alice, end) - previous;

        assertEq(sum, paid);
        (,,, uint256 released) = v.subscriptionOf(alice);
        assertEq(released, paid);
        assertEq(dist.funded(address(usd)), paid);
        assertEq(usd.balanceOf(address(v)), 0);
    }

    /// @dev Extending a running subscription leaves what was earned by any time up to the old end unchanged.
    function testFuzz_Subscribe_ExtensionKeepsEarnedSoFar(uint256 price, uint64 period, uint32 first, uint32 more, uint256 at, uint256 probe)
        public
    {
        SubscriptionVault v = _vault(price, period);
        first = uint32(bound(first, 1, 24));
        more = uint32(bound(more, 1, 24));
        _subscribe(v, alice, first);
        (uint64 start, uint64 end,,) = v.subscriptionOf(alice);
        vm.warp(bound(at, start, end - 1));
        uint64 t = uint64(bound(probe, start, end));
        uint256 before = v.earned(alice, t);
        _subscribe(v, alice, more);
        assertEq(v.earned(alice, t), before);
        (, uint64 newEnd, uint256 paid,) = v.subscriptionOf(alice);
        assertEq(newEnd, end + uint64(more) * v.periodSeconds());
        assertEq(v.earned(alice, newEnd), paid);
    }

    /// @dev Cancelling leaves what was earned by now unchanged and everything adds up: the refund plus
    ///      what will ever be earned equals what was paid.
    function testFuzz_Cancel_KeepsEarnedAndAddsUp(uint256 price, uint64 period, uint32 periods, uint256 at, uint256 releaseAt) public {
        SubscriptionVault v = _vault(price, period);
        periods = uint32(bound(periods, 2, 24));
        _subscribe(v, alice, periods);
        (uint64 start, uint64 end, uint256 gross,) = v.subscriptionOf(alice);
        uint64 releaseTime = uint64(bound(releaseAt, start, end - v.periodSeconds() - 1));
        vm.warp(releaseTime);
        address[] memory list = new address[](1);
        list[0] = alice;
        vm.prank(operator);
        v.release(list, releaseTime);

        // Cancel before the last period starts, so there is something to refund.
        vm.warp(bound(at, releaseTime, end - v.periodSeconds() - 1));
        uint64 now_ = uint64(block.timestamp);
        uint256 earnedNow = v.earned(alice, now_);
        uint256 balanceBefore = usd.balanceOf(alice);
        vm.prank(alice);
        v.cancel();
        uint256 refund = usd.balanceOf(alice) - balanceBefore;

        assertEq(v.earned(alice, now_), earnedNow);
        (, uint64 newEnd, uint256 paid, uint256 released) = v.subscriptionOf(alice);
        uint256 stillEarnable = v.earned(alice, newEnd) - released;
        assertEq(refund + released + stillEarnable, gross);
        assertEq(paid + refund, gross);
        assertGt(refund, 0);
        assertEq((newEnd - start) % v.periodSeconds(), 0);
        assertGt(newEnd, now_);
        assertLe(newEnd - now_, v.periodSeconds());
    }

    /// @dev A relayed permit pays exactly what the subscriber signed, from the subscriber, whoever sends
    ///      it; the same signature with any other period count, or once used, pays nothing.
    function testFuzz_SubscribeForWithPermit_PaysExactlyWhatWasSigned(
        uint256 key,
        uint32 periods,
        uint32 otherPeriods,
        address relayer,
        uint256 extraBalance
    ) public {
        key = bound(key, 1, SECP256K1_ORDER - 1);
        address fan = vm.addr(key);
        vm.assume(fan != alice && fan != bob && relayer != address(0) && relayer != fan);
        periods = uint32(bound(periods, 1, 1000));
        otherPeriods = uint32(bound(otherPeriods, 1, 1000));
        vm.assume(otherPeriods != periods);
        usd.mint(fan, PRICE * periods + bound(extraBalance, 0, 1e12));
        uint256 fanBefore = usd.balanceOf(fan);
        uint256 relayerBefore = usd.balanceOf(relayer);
        uint256 deadline = block.timestamp + 1 hours;
        Sig memory sig;
        (sig.v, sig.r, sig.s) = _signPermit(key, fan, address(vault), PRICE * periods, usd.nonces(fan), deadline);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, fan));
        vm.prank(relayer);
        vault.subscribeForWithPermit(fan, otherPeriods, deadline, sig.v, sig.r, sig.s);

        vm.prank(relayer);
        vault.subscribeForWithPermit(fan, periods, deadline, sig.v, sig.r, sig.s);
        (, uint64 end, uint256 paid,) = vault.subscriptionOf(fan);
        assertEq(paid, PRICE * periods);
        assertEq(end, block.timestamp + uint256(PERIOD) * periods);
        assertEq(usd.balanceOf(fan), fanBefore - PRICE * periods);
        assertEq(usd.balanceOf(relayer), relayerBefore);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionVault.InvalidPermit.selector, fan));
        vm.prank(relayer);
        vault.subscribeForWithPermit(fan, periods, deadline, sig.v, sig.r, sig.s);
    }

    /// @dev The pure math on its own: earned(end) == paid exactly, and no more at any time.
    function testFuzz_EarningsLib_EndsExactlyAtPaid(uint256 price, uint256 period, uint64 start, uint32 periods, uint256 before, uint64 until) public pure {
        price = bound(price, 1, type(uint128).max);
        period = bound(period, 1, 400 days);
        periods = uint32(bound(periods, 1, 1000));
        start = uint64(bound(start, 0, type(uint64).max - period * periods));
        uint64 end = uint64(start + period * periods);
        uint256 segment = price * periods;
        before = bound(before, 0, type(uint128).max);
        uint256 paid = before + segment;
        assertEq(EarningsLib.segmentPaid(price, period, start, end), segment);
        assertEq(EarningsLib.earned(price, period, start, end, paid, end), paid);
        uint256 e = EarningsLib.earned(price, period, start, end, paid, until);
        assertLe(e, paid);
        assertGe(e, before);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _vault(uint256 price, uint64 period) internal returns (SubscriptionVault) {
        price = bound(price, 1, 1e12);
        period = uint64(bound(period, 1, 60 days));
        return new SubscriptionVault(admin, operator, usd, price, period, dist);
    }

    function _subscribe(SubscriptionVault v, address who, uint32 periods) internal {
        usd.mint(who, v.pricePerPeriod() * periods);
        vm.startPrank(who);
        usd.approve(address(v), type(uint256).max);
        v.subscribe(periods);
        vm.stopPrank();
    }

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

/// @notice Invariants over random sequences of subscriptions, extensions, lapses, cancellations and
///         releases by three subscribers.
contract SubscriptionVaultInvariantTest is Test {
    SubscriptionVault internal vault;
    PayoutDistributor internal dist;
    MockUSD6 internal usd;
    SubscriptionVaultHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        address operator = makeAddr("operator");
        usd = new MockUSD6();
        dist = new PayoutDistributor(makeAddr("admin"), operator, address(0), 0);
        // An odd price over a 7-day period, so that every intermediate release rounds.
        vault = new SubscriptionVault(makeAddr("admin"), operator, usd, 9_999_997, 7 days, dist);
        handler = new SubscriptionVaultHandler(vault, usd, operator);
        targetContract(address(handler));
    }

    /// @notice Per subscriber: released + refunded <= paid in, and released <= earned(now) <= net paid.
    function invariant_ReleasedPlusRefundedNeverExceedsPaid() public view {
        for (uint256 i; i < 3; ++i) {
            address s = handler.subscriberAt(i);
            (,, uint256 paid, uint256 released) = vault.subscriptionOf(s);
            assertLe(released + handler.refunded(s), handler.grossPaid(s));
            assertEq(paid + handler.refunded(s), handler.grossPaid(s));
            assertLe(released, vault.earned(s, uint64(block.timestamp)));
            assertLe(vault.earned(s, uint64(block.timestamp)), paid);
            // No dust is ever lost: by the end everything paid (net) will have been earned.
            assertEq(vault.earned(s, type(uint64).max), paid);
        }
    }

    /// @notice The vault holds exactly what is paid and not released; the distributor got the rest.
    function invariant_VaultHoldsPaidMinusReleased() public view {
        uint256 unreleased;
        uint256 releasedSum;
        for (uint256 i; i < 3; ++i) {
            (,, uint256 paid, uint256 released) = vault.subscriptionOf(handler.subscriberAt(i));
            unreleased += paid - released;
            releasedSum += released;
        }
        assertEq(usd.balanceOf(address(vault)), unreleased);
        assertEq(dist.funded(address(usd)), releasedSum);
        assertEq(usd.balanceOf(address(dist)), releasedSum);
    }
}
