// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FairToken} from "../src/FairToken.sol";
import {PayoutDistributor} from "../src/PayoutDistributor.sol";
import {RewardsEmitter} from "../src/RewardsEmitter.sol";
import {ReentrantToken} from "./mocks/PayoutMocks.sol";

contract RewardsEmitterTest is Test {
    uint256 internal constant INITIAL = 1000e18;
    uint64 internal constant HALVING = 100;
    uint64 internal constant EPOCH = 1 hours;
    uint256 internal constant RESERVE = 600_000_000e18;

    uint64 internal start;
    FairToken internal fair;
    PayoutDistributor internal dist;
    RewardsEmitter internal emitter;

    function setUp() public {
        vm.warp(1_700_000_000);
        start = uint64(block.timestamp);
        dist = new PayoutDistributor(makeAddr("admin"), makeAddr("operator"), address(0), 0);
        // The reserve is minted straight to the emitter: its address is known before it is deployed.
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        fair = new FairToken(
            FairToken.Allocation(predicted, RESERVE), FairToken.Allocation(makeAddr("treasury"), 1), false, FairToken.Allocation(address(0), 0)
        );
        emitter = new RewardsEmitter(fair, dist, INITIAL, HALVING, start, EPOCH);
        assertEq(address(emitter), predicted);
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_PublishesTheSchedule() public view {
        assertEq(address(emitter.token()), address(fair));
        assertEq(address(emitter.distributor()), address(dist));
        assertEq(emitter.initialPerEpoch(), INITIAL);
        assertEq(emitter.halvingEpochs(), HALVING);
        assertEq(emitter.startTime(), start);
        assertEq(emitter.epochSeconds(), EPOCH);
        assertEq(emitter.nextEpoch(), 0);
        assertEq(emitter.reserve(), RESERVE);
    }

    function test_Constructor_Revert_whenTokenZero() public {
        vm.expectRevert(RewardsEmitter.ZeroAddress.selector);
        new RewardsEmitter(IERC20(address(0)), dist, INITIAL, HALVING, start, EPOCH);
    }

    function test_Constructor_Revert_whenDistributorZero() public {
        vm.expectRevert(RewardsEmitter.ZeroAddress.selector);
        new RewardsEmitter(fair, PayoutDistributor(address(0)), INITIAL, HALVING, start, EPOCH);
    }

    function test_Constructor_Revert_whenInitialZero() public {
        vm.expectRevert(RewardsEmitter.InvalidSchedule.selector);
        new RewardsEmitter(fair, dist, 0, HALVING, start, EPOCH);
    }

    function test_Constructor_Revert_whenHalvingZero() public {
        vm.expectRevert(RewardsEmitter.InvalidSchedule.selector);
        new RewardsEmitter(fair, dist, INITIAL, 0, start, EPOCH);
    }

    function test_Constructor_Revert_whenEpochSecondsZero() public {
        vm.expectRevert(RewardsEmitter.InvalidSchedule.selector);
        new RewardsEmitter(fair, dist, INITIAL, HALVING, start, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                SCHEDULE
    //////////////////////////////////////////////////////////////*/

    function test_EmissionFor_HalvesEveryHalvingPeriod() public view {
        assertEq(emitter.emissionFor(0), INITIAL);
        assertEq(emitter.emissionFor(HALVING - 1), INITIAL);
        assertEq(emitter.emissionFor(HALVING), INITIAL / 2);
        assertEq(emitter.emissionFor(2 * HALVING + 5), INITIAL / 4);
        assertEq(emitter.emissionFor(255 * HALVING), INITIAL >> 255);
        assertEq(emitter.emissionFor(256 * HALVING), 0);
        assertEq(emitter.emissionFor(type(uint64).max), 0);
    }

    function test_EpochTimes() public {
        assertEq(emitter.epochEnd(0), start + EPOCH);
        assertEq(emitter.epochEnd(9), start + 10 * EPOCH);
        assertEq(emitter.currentEpoch(), 0);
        vm.warp(start + 10 * EPOCH);
        assertEq(emitter.currentEpoch(), 10);
        vm.warp(start - 1);
        assertEq(emitter.currentEpoch(), 0);
    }

    function testFuzz_EmissionBetween_EqualsTheSumOfEachEpoch(uint64 from, uint64 length, uint256 initial, uint64 halving) public {
        initial = bound(initial, 1, 1e40);
        halving = uint64(bound(halving, 1, 50));
        from = uint64(bound(from, 0, 20_000));
        length = uint64(bound(length, 0, 300));
        RewardsEmitter e = new RewardsEmitter(fair, dist, initial, halving, start, EPOCH);
        uint256 sum;
        for (uint64 i = from; i <= from + length; ++i) {
            sum += e.emissionFor(i);
        }
        assertEq(e.emissionBetween(from, from + length), sum);
        if (from > 0) assertEq(e.emissionBetween(from, from - 1), 0);
    }

    /*//////////////////////////////////////////////////////////////
                                  EMIT
    //////////////////////////////////////////////////////////////*/

    function test_EmitUntil_FundsTheEndedEpochs() public {
        vm.warp(start + 3 * EPOCH);
        vm.expectEmit(false, false, false, true, address(emitter));
        emit RewardsEmitter.Emitted(0, 2, 3 * INITIAL);
        vm.expectEmit(true, true, false, true, address(dist));
        emit PayoutDistributor.Funded(address(fair), address(emitter), 3 * INITIAL);
        vm.prank(makeAddr("anyone"));
        assertEq(emitter.emitUntil(2), 3 * INITIAL);

        assertEq(dist.funded(address(fair)), 3 * INITIAL);
        assertEq(fair.balanceOf(address(dist)), 3 * INITIAL);
        assertEq(emitter.reserve(), RESERVE - 3 * INITIAL);
        assertEq(emitter.nextEpoch(), 3);
        assertEq(fair.allowance(address(emitter), address(dist)), 0);
    }

    function test_EmitUntil_IsNoOp_whenAlreadyEmitted() public {
        vm.warp(start + 3 * EPOCH);
        emitter.emitUntil(2);
        vm.recordLogs();
        assertEq(emitter.emitUntil(2), 0);
        assertEq(emitter.emitUntil(0), 0);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(dist.funded(address(fair)), 3 * INITIAL);
    }

    function test_EmitUntil_AcrossAHalving() public {
        vm.warp(start + (HALVING + 10) * EPOCH);
        emitter.emitUntil(HALVING - 11);
        assertEq(emitter.emitUntil(HALVING + 9), 10 * INITIAL + 10 * (INITIAL / 2));
        assertEq(dist.funded(address(fair)), HALVING * INITIAL + 10 * (INITIAL / 2));
    }

    function test_EmitUntil_Revert_whenEpochNotEnded() public {
        vm.warp(start + 3 * EPOCH - 1);
        vm.expectRevert(abi.encodeWithSelector(RewardsEmitter.EpochNotEnded.selector, 2, start + 3 * EPOCH));
        emitter.emitUntil(2);
    }

    function test_EmitUntil_Revert_whenBeforeStart() public {
        RewardsEmitter later = new RewardsEmitter(fair, dist, INITIAL, HALVING, start + 1 days, EPOCH);
        vm.expectRevert(abi.encodeWithSelector(RewardsEmitter.EpochNotEnded.selector, 0, start + 1 days + EPOCH));
        later.emitUntil(0);
    }

    function test_EmitUntil_IsCappedByTheReserve() public {
        RewardsEmitter small = new RewardsEmitter(fair, dist, INITIAL, HALVING, start, EPOCH);
        vm.prank(makeAddr("treasury"));
        fair.transfer(address(small), 1); // a reserve of 1 base unit
        vm.warp(start + 5 * EPOCH);
        vm.expectEmit(false, false, false, true, address(small));
        emit RewardsEmitter.Emitted(0, 4, 1);
        assertEq(small.emitUntil(4), 1);
        // Empty now: the next epochs are marked emitted with nothing to fund.
        vm.warp(start + 6 * EPOCH);
        vm.expectEmit(false, false, false, true, address(small));
        emit RewardsEmitter.Emitted(5, 5, 0);
        assertEq(small.emitUntil(5), 0);
        assertEq(small.nextEpoch(), 6);
    }

    function test_EmitUntil_Revert_whenReentered() public {
        ReentrantToken re = new ReentrantToken();
        RewardsEmitter reEmitter = new RewardsEmitter(IERC20(address(re)), dist, INITIAL, HALVING, start, EPOCH);
        re.mint(address(reEmitter), 100 * INITIAL);
        vm.warp(start + 4 * EPOCH);
        re.arm(address(reEmitter), abi.encodeCall(RewardsEmitter.emitUntil, (3)));
        reEmitter.emitUntil(1);
        assertFalse(re.reentrySucceeded());
        assertEq(re.reentryRevertData(), abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        assertEq(reEmitter.nextEpoch(), 2);
        assertEq(dist.funded(address(re)), 2 * INITIAL);
    }

    /// @dev Emitting in random chunks adds up to the schedule, to the base unit.
    function testFuzz_EmitUntil_ChunksAddUpToTheSchedule(uint256[8] memory steps) public {
        uint64 last;
        uint64 epoch;
        bool any;
        for (uint256 i; i < steps.length; ++i) {
            epoch += uint64(bound(steps[i], 0, 3 * HALVING));
            vm.warp(emitter.epochEnd(epoch));
            emitter.emitUntil(epoch);
            last = epoch;
            any = true;
        }
        assertTrue(any);
        assertEq(dist.funded(address(fair)), emitter.emissionBetween(0, last));
        assertEq(fair.balanceOf(address(emitter)) + fair.balanceOf(address(dist)), RESERVE);
        assertEq(emitter.nextEpoch(), last + 1);
    }
}
