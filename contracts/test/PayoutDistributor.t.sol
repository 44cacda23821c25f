// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FairToken} from "../src/FairToken.sol";
import {PayoutDistributor} from "../src/PayoutDistributor.sol";
import {BlockableToken, FeeTakingToken, MockUSD6, ReentrantToken} from "./mocks/PayoutMocks.sol";
import {PayoutMerkle} from "./handlers/PayoutMerkle.sol";
import {PayoutDistributorHandler} from "./handlers/PayoutDistributorHandler.sol";

/// @dev Shared fixture: FAIR (18 decimals) and a 6-decimals stablecoin, a distributor with a one-hour
///      challenge window, four accounts, and helpers to build cumulative trees of (account, token, amount).
abstract contract PayoutDistributorFixture is Test {
    struct Leaf {
        address account;
        address token;
        uint256 amount;
    }

    uint64 internal constant WINDOW = 1 hours;

    address internal admin = makeAddr("admin");
    address internal operator = makeAddr("operator");
    address internal guardian = makeAddr("guardian");
    address internal funder = makeAddr("funder");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal dave = makeAddr("dave");

    FairToken internal fair;
    MockUSD6 internal usd;
    PayoutDistributor internal dist;

    function setUp() public virtual {
        fair = new FairToken(
            FairToken.Allocation(funder, 1_000_000_000e18), FairToken.Allocation(makeAddr("treasury"), 1), false, FairToken.Allocation(address(0), 0)
        );
        usd = new MockUSD6();
        usd.mint(funder, 1_000_000_000e6);
        dist = new PayoutDistributor(admin, operator, guardian, WINDOW);
        vm.startPrank(funder);
        fair.approve(address(dist), type(uint256).max);
        usd.approve(address(dist), type(uint256).max);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _fund(address token, uint256 amount) internal {
        vm.prank(funder);
        dist.fund(token, amount);
    }

    /// @dev 4 accounts x (FAIR, USD): account i is owed (i + 1) * fairUnit FAIR and (i + 1) * usdUnit USD.
    function _grid(uint256 fairUnit, uint256 usdUnit) internal view returns (Leaf[] memory leaves) {
        address[4] memory accounts = [alice, bob, carol, dave];
        leaves = new Leaf[](8);
        for (uint256 i; i < 4; ++i) {
            leaves[i] = Leaf(accounts[i], address(fair), (i + 1) * fairUnit);
            leaves[4 + i] = Leaf(accounts[i], address(usd), (i + 1) * usdUnit);
        }
    }

    function _hashes(Leaf[] memory leaves) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            hashes[i] = PayoutMerkle.leaf(leaves[i].account, leaves[i].token, leaves[i].amount);
        }
    }

    function _root(Leaf[] memory leaves) internal pure returns (bytes32) {
        return PayoutMerkle.root(_hashes(leaves));
    }

    function _proof(Leaf[] memory leaves, uint256 index) internal pure returns (bytes32[] memory) {
        return PayoutMerkle.proof(_hashes(leaves), index);
    }

    /// @dev The distinct tokens of `leaves` in ascending order, with the sum of their amounts.
    function _totals(Leaf[] memory leaves) internal pure returns (address[] memory tokens, uint256[] memory totals) {
        address[] memory seen = new address[](leaves.length);
        uint256[] memory sums = new uint256[](leaves.length);
        uint256 count;
        for (uint256 i; i < leaves.length; ++i) {
            uint256 j;
            while (j < count && seen[j] != leaves[i].token) ++j;
            if (j == count) seen[count++] = leaves[i].token;
            sums[j] += leaves[i].amount;
        }
        tokens = new address[](count);
        totals = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            tokens[i] = seen[i];
            totals[i] = sums[i];
        }
        // insertion sort by address
        for (uint256 i = 1; i < count; ++i) {
            for (uint256 k = i; k > 0 && tokens[k - 1] > tokens[k]; --k) {
                (tokens[k - 1], tokens[k]) = (tokens[k], tokens[k - 1]);
                (totals[k - 1], totals[k]) = (totals[k], totals[k - 1]);
            }
        }
    }

    function _publish(uint64 epoch, Leaf[] memory leaves) internal {
        (address[] memory tokens, uint256[] memory totals) = _totals(leaves);
        vm.prank(operator);
        dist.publishEpoch(epoch, _root(leaves), keccak256("plays"), keccak256("data"), tokens, totals);
    }

    function _publishFinal(uint64 epoch, Leaf[] memory leaves) internal {
        _publish(epoch, leaves);
        vm.warp(block.timestamp + WINDOW);
    }

    function _claim(uint64 epoch, Leaf[] memory leaves, uint256 index) internal {
        dist.claim(epoch, leaves[index].account, leaves[index].token, leaves[index].amount, _proof(leaves, index));
    }

    function _claimsOf(Leaf[] memory leaves) internal pure returns (PayoutDistributor.Claim[] memory claims) {
        claims = new PayoutDistributor.Claim[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            claims[i] = PayoutDistributor.Claim(leaves[i].account, leaves[i].token, leaves[i].amount, _proof(leaves, i));
        }
    }

    /// @dev An arbitrary non-zero root.
    function _r(uint256 n) internal pure returns (bytes32) {
        return keccak256(abi.encode("root", n));
    }

    function _oneToken(address token) internal pure returns (address[] memory tokens) {
        tokens = new address[](1);
        tokens[0] = token;
    }

    function _oneTotal(uint256 total) internal pure returns (uint256[] memory totals) {
        totals = new uint256[](1);
        totals[0] = total;
    }
}

contract PayoutDistributorTest is PayoutDistributorFixture {
    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_GrantsRolesAndWindow() public view {
        assertTrue(dist.hasRole(dist.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(dist.hasRole(dist.OPERATOR_ROLE(), operator));
        assertTrue(dist.hasRole(dist.GUARDIAN_ROLE(), guardian));
        assertEq(dist.challengeWindow(), WINDOW);
        assertEq(dist.nextEpoch(), 0);
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(PayoutDistributor.ZeroAddress.selector);
        new PayoutDistributor(address(0), operator, guardian, WINDOW);
    }

    function test_Constructor_Revert_whenChallengeWindowTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.ChallengeWindowTooLong.selector, 30 days + 1));
        new PayoutDistributor(admin, operator, guardian, 30 days + 1);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUND
    //////////////////////////////////////////////////////////////*/

    function test_Fund_PullsTokensAndRaisesFunded() public {
        vm.expectEmit(true, true, false, true, address(dist));
        emit PayoutDistributor.Funded(address(usd), funder, 123e6);
        _fund(address(usd), 123e6);
        _fund(address(usd), 7e6);
        assertEq(dist.funded(address(usd)), 130e6);
        assertEq(usd.balanceOf(address(dist)), 130e6);
        assertEq(dist.paid(address(usd)), 0);
    }

    function test_Fund_Revert_whenZeroAmount() public {
        vm.expectRevert(PayoutDistributor.ZeroAmount.selector);
        _fund(address(usd), 0);
    }

    function test_Fund_Revert_whenFeeOnTransfer() public {
        FeeTakingToken fee = new FeeTakingToken();
        fee.mint(funder, 1000e18);
        vm.startPrank(funder);
        fee.approve(address(dist), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.UnsupportedToken.selector, address(fee)));
        dist.fund(address(fee), 1000e18);
        vm.stopPrank();
    }

    function test_Fund_Revert_whenFundingOverflows() public {
        usd.mint(funder, type(uint128).max);
        _fund(address(usd), type(uint128).max);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.FundingOverflow.selector, address(usd)));
        _fund(address(usd), 1);
    }

    function test_Fund_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(funder, 100e18);
        vm.prank(funder);
        re.approve(address(dist), type(uint256).max);
        re.arm(address(dist), abi.encodeCall(PayoutDistributor.fund, (address(re), 1)));

        _fund(address(re), 100e18);

        assertTrue(re.attempted());
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        assertEq(dist.funded(address(re)), 100e18);
    }

    /*//////////////////////////////////////////////////////////////
                                 PUBLISH
    //////////////////////////////////////////////////////////////*/

    function test_PublishEpoch_StoresRootAndEmitsTheRest() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        (address[] memory tokens, uint256[] memory totals) = _totals(leaves);
        bytes32 root = _root(leaves);

        vm.expectEmit(true, false, false, true, address(dist));
        emit PayoutDistributor.EpochPublished(0, root, keccak256("plays"), keccak256("data"), tokens, totals, uint64(block.timestamp) + WINDOW);
        _publish(0, leaves);

        (bytes24 rootPrefix, uint64 claimableAt, bool voided) = dist.epochOf(0);
        assertEq(bytes32(rootPrefix), bytes32(bytes24(root)));
        assertEq(claimableAt, block.timestamp + WINDOW);
        assertFalse(voided);
        assertEq(dist.nextEpoch(), 1);
        (uint256 total, uint64 epoch) = dist.publishedTotal(address(fair));
        assertEq(total, 10e18);
        assertEq(epoch, 0);
        assertFalse(dist.isFinal(0));
        vm.warp(block.timestamp + WINDOW);
        assertTrue(dist.isFinal(0));
        assertFalse(dist.isFinal(1));
    }

    function test_PublishEpoch_AllowsSkippedEpochNumbers() public {
        _fund(address(usd), 100e6);
        vm.startPrank(operator);
        dist.publishEpoch(3, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(1e6));
        dist.publishEpoch(10, _r(2), 0, 0, _oneToken(address(usd)), _oneTotal(1e6));
        vm.stopPrank();
        assertEq(dist.nextEpoch(), 11);
    }

    function test_PublishEpoch_Revert_whenNotOperator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, dist.OPERATOR_ROLE())
        );
        vm.prank(alice);
        dist.publishEpoch(0, _r(1), 0, 0, new address[](0), new uint256[](0));
    }

    function test_PublishEpoch_Revert_whenEpochNotIncreasing() public {
        vm.startPrank(operator);
        dist.publishEpoch(5, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.EpochNotIncreasing.selector, 5, 6));
        dist.publishEpoch(5, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.EpochNotIncreasing.selector, 4, 6));
        dist.publishEpoch(4, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.stopPrank();
    }

    function test_PublishEpoch_Revert_whenZeroRoot() public {
        vm.startPrank(operator);
        vm.expectRevert(PayoutDistributor.ZeroRoot.selector);
        dist.publishEpoch(0, 0, 0, 0, new address[](0), new uint256[](0));
        // Only the first 192 bits are stored: they must not be zero either.
        vm.expectRevert(PayoutDistributor.ZeroRoot.selector);
        dist.publishEpoch(0, bytes32(uint256(type(uint64).max)), 0, 0, new address[](0), new uint256[](0));
        vm.stopPrank();
    }

    function test_PublishEpoch_Revert_whenLengthMismatch() public {
        vm.expectRevert(PayoutDistributor.LengthMismatch.selector);
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, _oneToken(address(usd)), new uint256[](0));
    }

    function test_PublishEpoch_Revert_whenTokensNotAscending() public {
        address[] memory tokens = new address[](2);
        (tokens[0], tokens[1]) = address(fair) < address(usd) ? (address(usd), address(fair)) : (address(fair), address(usd));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TokensNotAscending.selector, tokens[1]));
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, tokens, new uint256[](2));
    }

    function test_PublishEpoch_Revert_whenTokenListedTwice() public {
        address[] memory tokens = new address[](2);
        (tokens[0], tokens[1]) = (address(usd), address(usd));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TokensNotAscending.selector, address(usd)));
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, tokens, new uint256[](2));
    }

    function test_PublishEpoch_Revert_whenTotalBelowPrevious() public {
        _fund(address(usd), 100e6);
        vm.startPrank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(50e6));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TotalBelowPrevious.selector, address(usd), 49e6, 50e6));
        dist.publishEpoch(1, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(49e6));
        vm.stopPrank();
    }

    function test_PublishEpoch_Revert_whenTotalAboveFunded() public {
        _fund(address(usd), 100e6);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TotalAboveFunded.selector, address(usd), 100e6 + 1, 100e6));
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(100e6 + 1));
    }

    /// @dev A voided epoch's (too high) totals must not hold the corrected publish.
    function test_PublishEpoch_AllowsLowerTotal_afterLatestEpochVoided() public {
        _fund(address(usd), 100e6);
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(90e6));
        vm.prank(guardian);
        dist.voidEpoch(0);
        vm.prank(operator);
        dist.publishEpoch(1, _r(2), 0, 0, _oneToken(address(usd)), _oneTotal(10e6));
        (uint256 total, uint64 epoch) = dist.publishedTotal(address(usd));
        assertEq(total, 10e6);
        assertEq(epoch, 1);
        // ... and the floor is back in force for the publish after.
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TotalBelowPrevious.selector, address(usd), 9e6, 10e6));
        vm.prank(operator);
        dist.publishEpoch(2, _r(3), 0, 0, _oneToken(address(usd)), _oneTotal(9e6));
    }

    /// @dev After a void, the floor falls back to what was already paid, which a correct root always covers.
    function test_PublishEpoch_Revert_whenTotalBelowPaid_afterVoid() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        dist.claimMany(0, _claimsOf(leaves)); // paid: 10e6 USD
        vm.prank(operator);
        dist.publishEpoch(1, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(80e6));
        vm.prank(guardian);
        dist.voidEpoch(1);

        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TotalBelowPrevious.selector, address(usd), 10e6 - 1, 10e6));
        vm.prank(operator);
        dist.publishEpoch(2, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(10e6 - 1));
        vm.prank(operator);
        dist.publishEpoch(2, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(10e6));
    }

    /// @dev Voiding an older pending epoch keeps the floor of a newer, standing one.
    function test_PublishEpoch_KeepsFloor_whenOlderEpochVoided() public {
        _fund(address(usd), 100e6);
        vm.startPrank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(20e6));
        dist.publishEpoch(1, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(30e6));
        vm.stopPrank();
        vm.prank(guardian);
        dist.voidEpoch(0);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.TotalBelowPrevious.selector, address(usd), 29e6, 30e6));
        vm.prank(operator);
        dist.publishEpoch(2, _r(1), 0, 0, _oneToken(address(usd)), _oneTotal(29e6));
    }

    /*//////////////////////////////////////////////////////////////
                                  VOID
    //////////////////////////////////////////////////////////////*/

    function test_VoidEpoch_MakesEpochUnclaimable() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publish(0, leaves);

        vm.expectEmit(true, false, false, false, address(dist));
        emit PayoutDistributor.EpochVoided(0);
        vm.prank(guardian);
        dist.voidEpoch(0);

        vm.warp(block.timestamp + WINDOW);
        assertFalse(dist.isFinal(0));
        (bytes24 rootPrefix, uint64 claimableAt, bool voided) = dist.epochOf(0);
        assertTrue(voided);
        assertEq(claimableAt, 0);
        assertEq(bytes32(rootPrefix), bytes32(bytes24(_root(leaves))));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.VoidedEpoch.selector, 0));
        _claim(0, leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.VoidedEpoch.selector, 0));
        dist.claimMany(0, _claimsOf(leaves));
    }

    function test_VoidEpoch_Revert_whenNotGuardian() public {
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, operator, dist.GUARDIAN_ROLE())
        );
        vm.prank(operator);
        dist.voidEpoch(0);
    }

    function test_VoidEpoch_Revert_whenUnknownEpoch() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.UnknownEpoch.selector, 7));
        vm.prank(guardian);
        dist.voidEpoch(7);
    }

    function test_VoidEpoch_Revert_whenAlreadyVoided() public {
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.startPrank(guardian);
        dist.voidEpoch(0);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.VoidedEpoch.selector, 0));
        dist.voidEpoch(0);
        vm.stopPrank();
    }

    function test_VoidEpoch_Revert_whenChallengeWindowClosed() public {
        vm.prank(operator);
        dist.publishEpoch(0, _r(1), 0, 0, new address[](0), new uint256[](0));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.ChallengeWindowClosed.selector, 0));
        vm.prank(guardian);
        dist.voidEpoch(0);
    }

    function test_VoidEpoch_Revert_whenWindowIsZero() public {
        PayoutDistributor dev = new PayoutDistributor(admin, operator, guardian, 0);
        vm.prank(operator);
        dev.publishEpoch(0, _r(1), 0, 0, new address[](0), new uint256[](0));
        assertTrue(dev.isFinal(0));
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.ChallengeWindowClosed.selector, 0));
        vm.prank(guardian);
        dev.voidEpoch(0);
    }

    /*//////////////////////////////////////////////////////////////
                                  CLAIM
    //////////////////////////////////////////////////////////////*/

    function test_Claim_PaysAccount_whenCalledByAnyone() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);

        vm.expectEmit(true, true, true, true, address(dist));
        emit PayoutDistributor.Claimed(0, bob, address(usd), 2e6, 2e6);
        vm.prank(makeAddr("node"));
        _claim(0, leaves, 5); // bob, USD

        assertEq(usd.balanceOf(bob), 2e6);
        assertEq(dist.claimed(bob, address(usd)), 2e6);
        assertEq(dist.paid(address(usd)), 2e6);
        assertEq(usd.balanceOf(address(dist)), 98e6);
    }

    function test_Claim_PaysOnlyTheDelta_acrossEpochs() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory first = _grid(1e18, 1e6);
        _publishFinal(0, first);
        _claim(0, first, 2); // carol: 3 FAIR
        Leaf[] memory second = _grid(2e18, 3e6);
        _publishFinal(1, second);
        _claim(1, second, 2); // carol: 6 FAIR cumulative
        assertEq(fair.balanceOf(carol), 6e18);
        assertEq(dist.claimed(carol, address(fair)), 6e18);
        assertEq(dist.paid(address(fair)), 6e18);
    }

    function test_Claim_IsNoOp_whenAlreadyClaimed() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        _claim(0, leaves, 0);
        vm.recordLogs();
        _claim(0, leaves, 0);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(fair.balanceOf(alice), 1e18);
        assertEq(dist.paid(address(fair)), 1e18);
    }

    function test_Claim_IsNoOp_whenOlderEpochAfterNewer() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory first = _grid(1e18, 1e6);
        _publish(0, first);
        Leaf[] memory second = _grid(2e18, 2e6);
        _publishFinal(1, second);
        _claim(1, second, 3);
        _claim(0, first, 3);
        assertEq(fair.balanceOf(dave), 8e18);
    }

    function test_Claim_Revert_whenUnknownEpoch() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.UnknownEpoch.selector, 3));
        dist.claim(3, alice, address(usd), 1, new bytes32[](0));
    }

    function test_Claim_Revert_whenNotFinal() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publish(0, leaves);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.EpochNotFinal.selector, 0, uint64(block.timestamp + 1)));
        _claim(0, leaves, 0);
    }

    function test_Claim_Revert_whenInvalidProof() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        bytes32[] memory proof = _proof(leaves, 0);
        // A larger amount than the leaf's.
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, alice, address(fair), 2e18));
        dist.claim(0, alice, address(fair), 2e18, proof);
        // Another account's proof.
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, bob, address(fair), 1e18));
        dist.claim(0, bob, address(fair), 1e18, proof);
    }

    /// @dev Leaves adding up to more than the funding (a wrong root) can never pay more than was funded.
    function test_Claim_Revert_whenInsufficientFunding() public {
        _fund(address(usd), 10e6);
        Leaf[] memory leaves = new Leaf[](2);
        leaves[0] = Leaf(alice, address(usd), 8e6);
        leaves[1] = Leaf(bob, address(usd), 8e6);
        vm.prank(operator);
        dist.publishEpoch(0, _root(leaves), 0, 0, _oneToken(address(usd)), _oneTotal(10e6)); // a lie
        vm.warp(block.timestamp + WINDOW);
        _claim(0, leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InsufficientFunding.selector, address(usd), 16e6, 10e6));
        _claim(0, leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InsufficientFunding.selector, address(usd), 16e6, 10e6));
        dist.claimMany(0, _claimsOf(leaves));
    }

    function test_Claim_CreditsOwed_whenRecipientBlocked() public {
        BlockableToken blk = new BlockableToken();
        blk.mint(funder, 100e18);
        vm.prank(funder);
        blk.approve(address(dist), type(uint256).max);
        _fund(address(blk), 100e18);
        Leaf[] memory leaves = new Leaf[](2);
        leaves[0] = Leaf(alice, address(blk), 5e18);
        leaves[1] = Leaf(bob, address(blk), 7e18);
        _publishFinal(0, leaves);
        blk.setBlocked(bob, true);

        vm.expectEmit(true, true, false, true, address(dist));
        emit PayoutDistributor.PaymentDeferred(bob, address(blk), 7e18);
        _claim(0, leaves, 1);

        assertEq(blk.balanceOf(bob), 0);
        assertEq(dist.owed(bob, address(blk)), 7e18);
        assertEq(dist.claimed(bob, address(blk)), 7e18);
        assertEq(dist.paid(address(blk)), 7e18);
        _claim(0, leaves, 1); // nothing more is due
        assertEq(dist.owed(bob, address(blk)), 7e18);
    }

    /// @dev A malicious token re-entering claim during its transfer gets nothing: the guard rejects it.
    function test_Claim_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(funder, 100e18);
        vm.prank(funder);
        re.approve(address(dist), type(uint256).max);
        _fund(address(re), 100e18);
        Leaf[] memory leaves = new Leaf[](2);
        leaves[0] = Leaf(alice, address(re), 5e18);
        leaves[1] = Leaf(bob, address(re), 7e18);
        _publishFinal(0, leaves);

        // During alice's transfer, try to claim alice again and bob.
        PayoutDistributor.Claim[] memory claims = _claimsOf(leaves);
        re.arm(address(dist), abi.encodeCall(PayoutDistributor.claimMany, (0, claims)));
        _claim(0, leaves, 0);

        assertTrue(re.attempted());
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        assertEq(re.balanceOf(alice), 5e18);
        assertEq(re.balanceOf(bob), 0);
        assertEq(dist.paid(address(re)), 5e18);
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIM MANY
    //////////////////////////////////////////////////////////////*/

    function test_ClaimMany_PaysEveryAccountInBothTokens() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        dist.claimMany(0, _claimsOf(leaves));
        assertEq(fair.balanceOf(alice), 1e18);
        assertEq(fair.balanceOf(dave), 4e18);
        assertEq(usd.balanceOf(carol), 3e6);
        assertEq(dist.paid(address(fair)), 10e18);
        assertEq(dist.paid(address(usd)), 10e6);
        assertEq(fair.balanceOf(address(dist)), 90e18);
        assertEq(usd.balanceOf(address(dist)), 90e6);
    }

    function test_ClaimMany_SkipsAlreadyClaimedAndDuplicates() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        _claim(0, leaves, 1); // bob FAIR already claimed
        PayoutDistributor.Claim[] memory all = _claimsOf(leaves);
        PayoutDistributor.Claim[] memory claims = new PayoutDistributor.Claim[](all.length + 1);
        for (uint256 i; i < all.length; ++i) {
            claims[i] = all[i];
        }
        claims[all.length] = all[0]; // alice FAIR twice
        dist.claimMany(0, claims);
        assertEq(fair.balanceOf(alice), 1e18);
        assertEq(fair.balanceOf(bob), 2e18);
        assertEq(dist.paid(address(fair)), 10e18);
    }

    function test_ClaimMany_Succeeds_whenOneRecipientBlocked() public {
        BlockableToken blk = new BlockableToken();
        blk.mint(funder, 100e18);
        vm.prank(funder);
        blk.approve(address(dist), type(uint256).max);
        _fund(address(blk), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = new Leaf[](4);
        leaves[0] = Leaf(alice, address(blk), 5e18);
        leaves[1] = Leaf(bob, address(blk), 7e18);
        leaves[2] = Leaf(carol, address(blk), 9e18);
        leaves[3] = Leaf(bob, address(usd), 3e6);
        _publishFinal(0, leaves);
        blk.setBlocked(bob, true);

        dist.claimMany(0, _claimsOf(leaves));

        assertEq(blk.balanceOf(alice), 5e18);
        assertEq(blk.balanceOf(carol), 9e18);
        assertEq(blk.balanceOf(bob), 0);
        assertEq(usd.balanceOf(bob), 3e6); // only the blocked token is deferred
        assertEq(dist.owed(bob, address(blk)), 7e18);
        assertEq(dist.paid(address(blk)), 21e18);
        assertEq(blk.balanceOf(address(dist)), 100e18 - 14e18);

        // Still blocked: the withdrawal fails with the token's error.
        vm.expectRevert(abi.encodeWithSelector(BlockableToken.Blocked.selector, bob));
        vm.prank(bob);
        dist.withdraw(address(blk));

        blk.setBlocked(bob, false);
        vm.expectEmit(true, true, false, true, address(dist));
        emit PayoutDistributor.Withdrawn(bob, address(blk), 7e18);
        vm.prank(bob);
        dist.withdraw(address(blk));
        assertEq(blk.balanceOf(bob), 7e18);
        assertEq(dist.owed(bob, address(blk)), 0);
        assertEq(blk.balanceOf(address(dist)), 100e18 - 21e18);
    }

    function test_ClaimMany_Revert_whenOneProofInvalid() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publishFinal(0, leaves);
        PayoutDistributor.Claim[] memory claims = _claimsOf(leaves);
        claims[6].cumulativeAmount += 1;
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.InvalidProof.selector, carol, address(usd), 3e6 + 1));
        dist.claimMany(0, claims);
    }

    function test_ClaimMany_Revert_whenNotFinal() public {
        _fund(address(fair), 100e18);
        _fund(address(usd), 100e6);
        Leaf[] memory leaves = _grid(1e18, 1e6);
        _publish(0, leaves);
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.EpochNotFinal.selector, 0, uint64(block.timestamp) + WINDOW));
        dist.claimMany(0, _claimsOf(leaves));
    }

    /*//////////////////////////////////////////////////////////////
                                WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function test_Withdraw_Revert_whenNothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutDistributor.NothingOwed.selector, address(usd)));
        vm.prank(alice);
        dist.withdraw(address(usd));
    }

    function test_Withdraw_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(funder, 100e18);
        vm.prank(funder);
        re.approve(address(dist), type(uint256).max);
        _fund(address(re), 100e18);
        Leaf[] memory leaves = new Leaf[](1);
        leaves[0] = Leaf(alice, address(re), 5e18);
        _publishFinal(0, leaves);
        // Make alice's push fail (a mocked revert) so she gets a pull balance, then try to re-enter
        // withdraw while withdrawing.
        vm.mockCallRevert(address(re), abi.encodeWithSelector(re.transfer.selector, alice, 5e18), "nope");
        _claim(0, leaves, 0);
        vm.clearMockedCalls();
        assertEq(dist.owed(alice, address(re)), 5e18);

        re.arm(address(dist), abi.encodeCall(PayoutDistributor.withdraw, (address(re))));
        vm.prank(alice);
        dist.withdraw(address(re));
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        assertEq(re.balanceOf(alice), 5e18);
        assertEq(re.balanceOf(address(dist)), 95e18);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    /// @dev Whatever the cumulative amounts of two epochs and the order of the claims, an account ends
    ///      with exactly the cumulative amount of the newest root, and never more.
    function testFuzz_Claim_PaysExactlyTheCumulativeAmount(uint256 first, uint256 increase, bool newestFirst, bool batch) public {
        first = bound(first, 1, 1e30);
        increase = bound(increase, 0, 1e30);
        fair = new FairToken(
            FairToken.Allocation(funder, 3e30), FairToken.Allocation(makeAddr("treasury"), 1), false, FairToken.Allocation(address(0), 0)
        );
        vm.prank(funder);
        fair.approve(address(dist), type(uint256).max);
        _fund(address(fair), first + increase + 5);

        Leaf[] memory e0 = new Leaf[](2);
        e0[0] = Leaf(alice, address(fair), first);
        e0[1] = Leaf(bob, address(fair), 5);
        Leaf[] memory e1 = new Leaf[](2);
        e1[0] = Leaf(alice, address(fair), first + increase);
        e1[1] = Leaf(bob, address(fair), 5);
        _publish(0, e0);
        _publishFinal(1, e1);

        if (newestFirst) {
            _claimMaybeBatch(1, e1, batch);
            _claimMaybeBatch(0, e0, batch);
        } else {
            _claimMaybeBatch(0, e0, batch);
            assertEq(fair.balanceOf(alice), first);
            _claimMaybeBatch(1, e1, batch);
        }
        assertEq(fair.balanceOf(alice), first + increase);
        assertEq(fair.balanceOf(bob), 5);
        assertEq(dist.paid(address(fair)), first + increase + 5);
        assertEq(dist.paid(address(fair)), dist.funded(address(fair)));
        assertEq(fair.balanceOf(address(dist)), 0);
    }

    /// @dev A batch over random amounts in two tokens pays each leaf to the wei and the sums per token.
    function testFuzz_ClaimMany_PaysEveryLeafExactly(uint256[8] memory amounts) public {
        Leaf[] memory leaves = _grid(0, 0);
        uint256 fairSum;
        uint256 usdSum;
        for (uint256 i; i < 8; ++i) {
            leaves[i].amount = bound(amounts[i], 0, i < 4 ? 1e26 : 1e14);
            if (i < 4) fairSum += leaves[i].amount;
            else usdSum += leaves[i].amount;
        }
        if (fairSum > 0) _fund(address(fair), fairSum);
        if (usdSum > 0) _fund(address(usd), usdSum);
        _publishFinal(0, leaves);
        dist.claimMany(0, _claimsOf(leaves));
        for (uint256 i; i < 8; ++i) {
            assertEq(BlockableToken(leaves[i].token).balanceOf(leaves[i].account), leaves[i].amount);
            assertEq(dist.claimed(leaves[i].account, leaves[i].token), leaves[i].amount);
        }
        assertEq(dist.paid(address(fair)), fairSum);
        assertEq(dist.paid(address(usd)), usdSum);
        assertEq(fair.balanceOf(address(dist)), 0);
        assertEq(usd.balanceOf(address(dist)), 0);
    }

    function _claimMaybeBatch(uint64 epoch, Leaf[] memory leaves, bool batch) internal {
        if (batch) {
            dist.claimMany(epoch, _claimsOf(leaves));
        } else {
            for (uint256 i; i < leaves.length; ++i) {
                _claim(epoch, leaves, i);
            }
        }
    }
}

/// @notice Invariants over random sequences of funding, publishing, voiding, claiming (one or all),
///         blocking recipients and withdrawing.
contract PayoutDistributorInvariantTest is Test {
    PayoutDistributor internal dist;
    PayoutDistributorHandler internal handler;

    function setUp() public {
        address operator = makeAddr("operator");
        address guardian = makeAddr("guardian");
        dist = new PayoutDistributor(makeAddr("admin"), operator, guardian, 1 hours);
        handler = new PayoutDistributorHandler(dist, new BlockableToken(), new MockUSD6(), operator, guardian, 1 hours);
        targetContract(address(handler));
    }

    /// @notice The total paid per token never exceeds what was funded.
    function invariant_PaidNeverExceedsFunded() public view {
        for (uint256 t; t < 2; ++t) {
            address token = handler.tokenAt(t);
            assertLe(dist.paid(token), dist.funded(token));
        }
    }

    /// @notice No account is paid more than the largest cumulative amount of a non-voided root, and what
    ///         it holds plus what it is owed is exactly what it claimed.
    function invariant_NoAccountPaidMoreThanItsCumulativeAmount() public view {
        for (uint256 t; t < 2; ++t) {
            address token = handler.tokenAt(t);
            for (uint256 a; a < 4; ++a) {
                address account = handler.accountAt(a);
                uint256 claimed = dist.claimed(account, token);
                assertLe(claimed, handler.maxEntitled(t, a));
                assertEq(BlockableToken(token).balanceOf(account) + dist.owed(account, token), claimed);
            }
        }
    }

    /// @notice Accounting equals balances: held = funded - paid + owed; paid = sum of claimed.
    function invariant_AccountingEqualsBalances() public view {
        for (uint256 t; t < 2; ++t) {
            address token = handler.tokenAt(t);
            uint256 owedSum;
            uint256 claimedSum;
            for (uint256 a; a < 4; ++a) {
                owedSum += dist.owed(handler.accountAt(a), token);
                claimedSum += dist.claimed(handler.accountAt(a), token);
            }
            assertEq(BlockableToken(token).balanceOf(address(dist)), dist.funded(token) - dist.paid(token) + owedSum);
            assertEq(claimedSum, dist.paid(token));
        }
    }
}
