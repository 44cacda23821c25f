// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SubscriptionVault} from "../../src/SubscriptionVault.sol";
import {MockUSD6} from "../mocks/PayoutMocks.sol";

/// @notice Drives a SubscriptionVault with bounded, always-valid calls: subscribe (start, extend or
///         resubscribe after a lapse), cancel, let time pass, release up to any past time.
contract SubscriptionVaultHandler is Test {
    uint256 internal constant SUBSCRIBERS = 3;

    SubscriptionVault public immutable vault;
    MockUSD6 public immutable usd;
    address internal immutable operator;

    address[SUBSCRIBERS] internal subscribers;

    /// @notice Ghosts: everything each subscriber paid in (gross) and got refunded.
    mapping(address => uint256) public grossPaid;
    mapping(address => uint256) public refunded;

    constructor(SubscriptionVault vault_, MockUSD6 usd_, address operator_) {
        vault = vault_;
        usd = usd_;
        operator = operator_;
        for (uint256 i; i < SUBSCRIBERS; ++i) {
            subscribers[i] = makeAddr(string.concat("subscriber-", vm.toString(i)));
        }
    }

    function subscribe(uint256 seed, uint256 periods) external {
        address subscriber = subscribers[seed % SUBSCRIBERS];
        uint32 n = uint32(bound(periods, 1, 24));
        uint256 amount = vault.pricePerPeriod() * n;
        usd.mint(subscriber, amount);
        vm.startPrank(subscriber);
        usd.approve(address(vault), amount);
        vault.subscribe(n);
        vm.stopPrank();
        grossPaid[subscriber] += amount;
    }

    function cancel(uint256 seed) external {
        address subscriber = subscribers[seed % SUBSCRIBERS];
        (uint64 start, uint64 end,,) = vault.subscriptionOf(subscriber);
        if (block.timestamp >= end) return;
        uint256 period = vault.periodSeconds();
        uint256 keptEnd = start + ((block.timestamp - start) / period + 1) * period;
        if (keptEnd == end) return;
        uint256 before = usd.balanceOf(subscriber);
        vm.prank(subscriber);
        vault.cancel();
        refunded[subscriber] += usd.balanceOf(subscriber) - before;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 3 * uint256(vault.periodSeconds())));
    }

    function release(uint256 untilSeed, uint256 mask) external {
        uint64 until = uint64(bound(untilSeed, 0, block.timestamp));
        address[] memory list = new address[](SUBSCRIBERS);
        uint256 count;
        for (uint256 i; i < SUBSCRIBERS; ++i) {
            if ((mask >> i) & 1 == 1) list[count++] = subscribers[i];
        }
        assembly ("memory-safe") {
            mstore(list, count)
        }
        vm.prank(operator);
        vault.release(list, until);
    }

    function subscriberAt(uint256 i) external view returns (address) {
        return subscribers[i];
    }
}
