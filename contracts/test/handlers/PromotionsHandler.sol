// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {FairToken} from "../../src/FairToken.sol";
import {Promotions} from "../../src/Promotions.sol";

/// @notice Drives `Promotions` with bounded, always-valid calls (invalid ones are skipped, so the
///         invariant run may fail on any revert): track owners promote their tracks for random days
///         (fresh or extending), time passes, the admin changes the price. Keeps ghost totals of the FAIR
///         paid, each track's expected `promotedUntil`, and whether it ever went down.
contract PromotionsHandler is Test {
    Promotions internal immutable promotions;
    FairToken internal immutable fair;
    address internal immutable admin;
    bytes32[] internal tracks;
    address[] internal owners;

    uint256 public ghostPaid;
    uint256 public ghostPromotions;
    /// @dev Set when a promotion ever moved a track's end backwards (must stay false).
    bool public ghostWentBackwards;
    mapping(bytes32 trackId => uint64) public ghostUntil;

    constructor(Promotions promotions_, FairToken fair_, address admin_, bytes32[] memory tracks_, address[] memory owners_) {
        promotions = promotions_;
        fair = fair_;
        admin = admin_;
        tracks = tracks_;
        owners = owners_;
    }

    function promote(uint256 trackSeed, uint256 days_, uint256 extraAllowance) external {
        uint256 t = trackSeed % tracks.length;
        bytes32 trackId = tracks[t];
        address owner = owners[t];
        uint64 now_ = uint64(block.timestamp);
        uint64 current = promotions.promotedUntil(trackId);
        uint64 startsAt = current > now_ ? current : now_;
        uint256 room = (uint256(now_) + promotions.MAX_DAYS() * 1 days - startsAt) / 1 days;
        if (room == 0) return;
        days_ = bound(days_, 1, room);
        uint256 cost = promotions.pricePerDay() * days_;
        if (fair.balanceOf(owner) < cost) return;
        uint256 maxAmount = cost + bound(extraAllowance, 0, 10e18);

        vm.startPrank(owner);
        fair.approve(address(promotions), maxAmount);
        uint64 endsAt = promotions.promote(trackId, days_, maxAmount);
        vm.stopPrank();

        if (endsAt < current) ghostWentBackwards = true;
        ghostUntil[trackId] = endsAt;
        ghostPaid += cost;
        ghostPromotions++;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 30 days));
    }

    function setPrice(uint256 price) external {
        vm.prank(admin);
        promotions.setPricePerDay(bound(price, 1, 1_000e18));
    }

    function trackCount() external view returns (uint256) {
        return tracks.length;
    }

    function trackAt(uint256 i) external view returns (bytes32) {
        return tracks[i];
    }

    function ownerAt(uint256 i) external view returns (address) {
        return owners[i];
    }
}
