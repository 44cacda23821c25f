// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Staking} from "../../src/Staking.sol";
import {TestStablecoin} from "../../src/TestStablecoin.sol";

/// @notice Drives `Staking` with bounded, always-valid calls from a few actors (invalid ones are skipped,
///         so the invariant run may fail on any revert) and keeps ghost totals of the fees notified and
///         the rewards claimed, and a count of the calls that may floor an account's rewards to the base
///         unit (each drops less than one base unit). `notifyFee` also checks the accumulator's
///         resolution: with the 1e36 scale, nothing whole is ever carried while anyone stakes.
contract StakingHandler is Test {
    Staking internal immutable staking;
    IERC20 internal immutable fair;
    TestStablecoin internal immutable usd;
    address internal immutable notifier;
    address[] internal actors;

    uint256 public ghostNotified;
    uint256 public ghostClaimed;
    uint256 public ghostStaked;
    uint256 public ghostWithdrawn;
    /// @dev Calls that checkpoint an account (stake, requestUnstake) or claim: each may drop < 1 base unit.
    uint256 public ghostRoundings;

    mapping(bytes32 => uint256) public calls;

    constructor(Staking staking_, IERC20 fair_, TestStablecoin usd_, address notifier_, address[] memory actors_) {
        staking = staking_;
        fair = fair_;
        usd = usd_;
        notifier = notifier_;
        actors = actors_;
    }

    function stake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 balance = fair.balanceOf(actor);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        vm.startPrank(actor);
        fair.approve(address(staking), amount);
        staking.stake(amount);
        vm.stopPrank();
        ghostStaked += amount;
        ghostRoundings++;
        calls["stake"]++;
    }

    function requestUnstake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 staked = staking.stakeOf(actor);
        uint256 floor = staking.isOperator(actor) ? staking.minOperatorStake() : 0;
        if (staked <= floor) return;
        amount = bound(amount, 1, staked - floor);
        vm.prank(actor);
        staking.requestUnstake(amount);
        ghostRoundings++;
        calls["requestUnstake"]++;
    }

    function withdraw(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        (uint256 cooling, uint64 unlockAt) = staking.coolingOf(actor);
        if (cooling == 0) return;
        if (block.timestamp < unlockAt) vm.warp(unlockAt);
        vm.prank(actor);
        staking.withdraw();
        ghostWithdrawn += cooling;
        calls["withdraw"]++;
    }

    function notifyFee(uint256 amount) external {
        amount = bound(amount, 1, 1_000_000e6);
        uint256 heldBefore = staking.undistributed(address(usd));
        vm.startPrank(notifier);
        usd.mint(notifier, amount);
        usd.approve(address(staking), amount);
        staking.notifyFee(address(usd), amount);
        vm.stopPrank();
        if (staking.totalStaked() == 0) {
            // Nobody stakes: the whole fee is held, to the base unit.
            assertEq(staking.undistributed(address(usd)), heldBefore + amount, "fee not held");
        } else {
            // The carry is below totalStaked / 1e36 base units (<= 4e24 / 1e36 here): nothing whole is
            // held back, however small the fee and large the stake.
            assertEq(staking.undistributed(address(usd)), 0, "whole base units carried");
        }
        ghostNotified += amount;
        calls["notifyFee"]++;
    }

    function claimRewards(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 reward = staking.earned(actor, address(usd));
        if (reward == 0) return;
        vm.prank(actor);
        staking.claimRewards(address(usd));
        ghostClaimed += reward;
        ghostRoundings++;
        calls["claimRewards"]++;
    }

    function toggleOperator(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        vm.startPrank(actor);
        if (staking.isOperator(actor)) {
            staking.deregisterOperator();
        } else if (staking.stakeOf(actor) >= staking.minOperatorStake()) {
            staking.registerOperator("https://node.example");
        }
        vm.stopPrank();
        calls["toggleOperator"]++;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 30 days));
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function actorAt(uint256 i) external view returns (address) {
        return actors[i];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }
}
