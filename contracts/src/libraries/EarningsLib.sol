// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title EarningsLib
/// @notice The subscription earnings math of `SubscriptionVault`, pure so it can be fuzzed on its own.
///
///         A subscriber's state is one *segment* of whole periods, [start, end), plus `paid`: everything
///         the subscriber ever paid, net of refunds, over all segments. The price per period is fixed, so
///         every segment is paid at the same rate, `price / period` per second, and the amount paid for
///         the current segment is `segmentPaid = price * (end - start) / period`, exact because
///         `end - start` is always a whole number of periods. Earlier segments ended before `start` and
///         are fully earned: `before = paid - segmentPaid`.
///
///         earned(until) = before                                              if until <= start
///                       = before + floor(price * (min(until, end) - start) / period)   otherwise
///
///         Properties (fuzzed in SubscriptionVault.t.sol):
///         - monotonic in `until` (floor of a non-decreasing numerator);
///         - earned(end) == paid exactly: price * (end - start) / period has no remainder, so no dust is
///           lost; the sum of the deltas over any epoch boundaries telescopes to exactly `paid`;
///         - rounding is down at every intermediate `until`: the earned amount never runs ahead of time,
///           and what the floor holds back is released by a later `until` (at the latest at `end`);
///         - extending an active subscription by n periods adds price * n to both `paid` and
///           `segmentPaid` and n * period to `end`: earned(until) is unchanged for every until <= old end
///           (no folding needed, because the rate is the same);
///         - cancelling keeps the started periods (end moves back to a period boundary after now) and
///           removes the refund from both `paid` and `segmentPaid`: earned(until) is unchanged for every
///           until <= the new end, so nothing already earned (or released) is ever taken back;
///         - a new segment after a lapse moves `start` to its first second; the old segments then count
///           as `before`. That is exact for every until >= the old end; an `until` inside an old segment
///           (only when a release lags behind a resubscription) sees the old segments as fully earned,
///           which can move money between epochs but never changes the total.
library EarningsLib {
    /// @notice Cumulative amount earned by `until` (see the library notes).
    /// @param price Price of one period.
    /// @param period Length of one period in seconds (non-zero).
    /// @param start First second of the current segment.
    /// @param end End (exclusive) of the current segment; `end - start` is a multiple of `period`.
    /// @param paid Everything paid, net of refunds, over all segments.
    /// @param until The time earned up to.
    /// @return The cumulative earned amount, between 0 and `paid`.
    function earned(uint256 price, uint256 period, uint64 start, uint64 end, uint256 paid, uint64 until)
        internal
        pure
        returns (uint256)
    {
        uint256 before = paid - segmentPaid(price, period, start, end);
        if (until <= start) return before;
        uint256 last = until < end ? until : end;
        return before + (price * (last - start)) / period;
    }

    /// @notice What the segment [start, end) cost: `price` per whole period.
    /// @param price Price of one period.
    /// @param period Length of one period in seconds (non-zero).
    /// @param start First second of the segment.
    /// @param end End (exclusive) of the segment.
    /// @return The segment's price.
    function segmentPaid(uint256 price, uint256 period, uint64 start, uint64 end) internal pure returns (uint256) {
        return (price * (end - start)) / period;
    }

    /// @notice Where a segment ends when cancelled at `now_`: after the period containing `now_`.
    /// @param period Length of one period in seconds (non-zero).
    /// @param start First second of the segment.
    /// @param now_ The cancellation time, in [start, end).
    /// @return The end of the period in progress at `now_`.
    function cancelledEnd(uint256 period, uint64 start, uint64 now_) internal pure returns (uint64) {
        uint256 started = (uint256(now_) - start) / period + 1;
        return uint64(start + started * period);
    }
}
