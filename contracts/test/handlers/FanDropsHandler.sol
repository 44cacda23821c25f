// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {FairToken} from "../../src/FairToken.sol";
import {FanDrops} from "../../src/FanDrops.sol";
import {PayoutMerkle} from "./PayoutMerkle.sol";

/// @notice Drives `FanDrops` with bounded, always-valid calls (invalid ones are skipped, so the invariant
///         run may fail on any revert): creators fund drops over a few fans, some honest (the leaves sum
///         to the total) and some over-promising (the leaves sum to more than the total, or list more
///         fans than declared); anyone claims one fan or a batch (with repeats); time passes; creators
///         reclaim expired drops. Keeps ghost figures to check that no fan is paid twice and no drop pays
///         out more than it was funded.
contract FanDropsHandler is Test {
    uint256 public constant FANS = 5;

    FanDrops internal immutable drops;
    FairToken internal immutable fair;
    address[] internal creators;
    address[FANS] internal fans;

    /// @dev Per drop: each fan's leaf amount (0: no leaf) and the tree's leaf hashes, in fan order.
    mapping(uint256 dropId => uint256[FANS]) internal amounts;
    mapping(uint256 dropId => bytes32[]) internal leaves;
    mapping(uint256 dropId => uint256[FANS]) internal leafIndex;

    uint256 public ghostFunded;
    uint256 public ghostPaid;
    uint256 public ghostReclaimed;
    /// @dev Per fan, what the drops paid it (each fan starts with no FAIR).
    mapping(address fan => uint256) public ghostPaidTo;

    constructor(FanDrops drops_, FairToken fair_, address[] memory creators_) {
        drops = drops_;
        fair = fair_;
        creators = creators_;
        for (uint256 i; i < FANS; ++i) {
            fans[i] = makeAddr(string.concat("handler-fan-", vm.toString(i)));
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @param shape Bit i: fan i gets a leaf. `overPromise` 0: honest; 1: total below the leaves' sum;
    ///        2: fewer recipients declared than leaves.
    function createDrop(uint256 creatorSeed, uint256 shape, uint256[FANS] memory raw, uint256 overPromise, uint256 window)
        external
    {
        address creator = creators[creatorSeed % creators.length];
        Plan memory plan = _plan(bound(shape, 1, 2 ** FANS - 1), raw);
        uint256 total = plan.sum;
        uint32 recipients = uint32(plan.hashes.length);
        uint256 mode = overPromise % 3;
        if (mode == 1 && plan.sum > 1) total = bound(uint256(keccak256(abi.encode(raw))), 1, plan.sum - 1);
        if (mode == 2 && recipients > 1) recipients -= 1;
        if (recipients > total || fair.balanceOf(creator) < total) return;

        bytes32 root = PayoutMerkle.root(plan.hashes);
        uint64 claimWindow = uint64(bound(window, 1 days, 30 days));
        vm.startPrank(creator);
        fair.approve(address(drops), total);
        uint256 dropId = drops.createDrop(root, total, recipients, claimWindow, "handler drop");
        vm.stopPrank();

        amounts[dropId] = plan.amounts;
        leafIndex[dropId] = plan.index;
        leaves[dropId] = plan.hashes;
        ghostFunded += total;
    }

    function claim(uint256 dropSeed, uint256 fanSeed) external {
        (uint256 dropId, bool ok) = _openDrop(dropSeed);
        if (!ok) return;
        uint256 f = fanSeed % FANS;
        uint256 amount = amounts[dropId][f];
        if (amount == 0 || drops.isClaimed(dropId, fans[f])) return;
        FanDrops.Drop memory d = drops.dropOf(dropId);
        if (d.claimed + amount > d.total || d.claimedCount + 1 > d.recipients) return;

        drops.claim(dropId, fans[f], amount, PayoutMerkle.proof(leaves[dropId], leafIndex[dropId][f]));
        _recordPaid(fans[f], amount);
    }

    /// @notice Claims every fan of a drop in one batch, some listed twice, some already claimed.
    function claimMany(uint256 dropSeed, uint256 repeatMask) external {
        (uint256 dropId, bool ok) = _openDrop(dropSeed);
        if (!ok) return;
        FanDrops.Claim[] memory batch = new FanDrops.Claim[](2 * FANS);
        uint256 n;
        uint256 due;
        uint256 dueCount;
        for (uint256 i; i < FANS; ++i) {
            uint256 amount = amounts[dropId][i];
            if (amount == 0) continue;
            bytes32[] memory proof = PayoutMerkle.proof(leaves[dropId], leafIndex[dropId][i]);
            batch[n++] = FanDrops.Claim(fans[i], amount, proof);
            if (repeatMask & (1 << i) != 0) batch[n++] = FanDrops.Claim(fans[i], amount, proof);
            if (!drops.isClaimed(dropId, fans[i])) {
                due += amount;
                dueCount++;
            }
        }
        assembly ("memory-safe") {
            mstore(batch, n)
        }
        FanDrops.Drop memory d = drops.dropOf(dropId);
        if (d.claimed + due > d.total || d.claimedCount + dueCount > d.recipients) return;

        bool[FANS] memory wasClaimed;
        for (uint256 i; i < FANS; ++i) {
            wasClaimed[i] = drops.isClaimed(dropId, fans[i]);
        }
        drops.claimMany(dropId, batch);
        for (uint256 i; i < FANS; ++i) {
            if (amounts[dropId][i] != 0 && !wasClaimed[i]) _recordPaid(fans[i], amounts[dropId][i]);
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 10 days));
    }

    function reclaim(uint256 dropSeed) external {
        uint256 count = drops.dropCount();
        if (count == 0) return;
        uint256 dropId = 1 + dropSeed % count;
        FanDrops.Drop memory d = drops.dropOf(dropId);
        if (block.timestamp < d.expiresAt || d.reclaimed || d.claimed == d.total) return;
        vm.prank(d.creator);
        ghostReclaimed += drops.reclaim(dropId);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    function fanAt(uint256 i) external view returns (address) {
        return fans[i];
    }

    /// @notice What the fan was owed by the drop's leaf (0 when it has none).
    function amountOf(uint256 dropId, uint256 fan) external view returns (uint256) {
        return amounts[dropId][fan];
    }

    /*//////////////////////////////////////////////////////////////
                                 PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _openDrop(uint256 seed) private view returns (uint256 dropId, bool ok) {
        uint256 count = drops.dropCount();
        if (count == 0) return (0, false);
        dropId = 1 + seed % count;
        ok = block.timestamp < drops.dropOf(dropId).expiresAt;
    }

    function _recordPaid(address fan, uint256 amount) private {
        ghostPaid += amount;
        ghostPaidTo[fan] += amount;
    }

    struct Plan {
        uint256[FANS] amounts;
        uint256[FANS] index;
        bytes32[] hashes;
        uint256 sum;
    }

    /// @dev The leaves of the fans in `mask`, with amounts bounded from `raw`.
    function _plan(uint256 mask, uint256[FANS] memory raw) private view returns (Plan memory plan) {
        plan.hashes = new bytes32[](_popcount(mask));
        uint256 n;
        for (uint256 i; i < FANS; ++i) {
            if (mask & (1 << i) == 0) continue;
            uint256 amount = bound(raw[i], 1, 1_000e18);
            plan.amounts[i] = amount;
            plan.sum += amount;
            plan.index[i] = n;
            plan.hashes[n++] = keccak256(bytes.concat(keccak256(abi.encode(fans[i], amount))));
        }
    }

    function _popcount(uint256 x) private pure returns (uint256 n) {
        for (; x != 0; x >>= 1) {
            n += x & 1;
        }
    }
}
