// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title SplitLib
/// @notice Validates a revenue split and divides an amount by it, exactly.
/// @dev A split is two parallel arrays: `recipients` (strictly ascending addresses, so unique and never
///      the zero address) and `shares` (parts per million, each > 0, summing to exactly `TOTAL_PPM`).
///      Between 1 and `MAX_RECIPIENTS` recipients.
///
///      Rounding rule of `allocate`: every recipient gets the floor of its exact pro-rata part,
///      `floor(amount * share / 1e6)`, and the remainder (the sum of the dropped fractions: always an
///      integer between 0 and n - 1 base units) goes to the FIRST recipient (the lowest address). The
///      parts therefore add up to exactly `amount`: no dust is ever lost or created. The first recipient
///      is chosen (rather than the largest share, or largest-remainder rounding) because it is cheap
///      (one subtraction, no sorting), deterministic and reproducible off-chain from the split alone;
///      the bias is at most n - 1 base units per allocation.
library SplitLib {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The sum of the shares of every valid split: one million parts per million.
    uint32 internal constant TOTAL_PPM = 1_000_000;

    /// @notice The largest number of recipients a split may have.
    uint256 internal constant MAX_RECIPIENTS = 100;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The split has no recipients.
    error EmptySplit();

    /// @notice The split has `count` recipients, more than `MAX_RECIPIENTS`.
    error TooManyRecipients(uint256 count);

    /// @notice `recipients` and `shares` do not have the same length.
    error LengthMismatch();

    /// @notice `recipients[index]` is not strictly greater than the previous recipient (or, at index 0,
    ///         is the zero address): recipients must be sorted ascending, unique and non-zero.
    error RecipientsNotSorted(uint256 index);

    /// @notice `shares[index]` is zero.
    error ZeroShare(uint256 index);

    /// @notice The shares add up to `sum` instead of `TOTAL_PPM`.
    error SharesDoNotSumToTotal(uint256 sum);

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Reverts unless (`recipients`, `shares`) is a valid split.
    /// @param recipients Strictly ascending, non-zero addresses; 1 to `MAX_RECIPIENTS` of them.
    /// @param shares Parts per million, one per recipient, each > 0, summing to `TOTAL_PPM`.
    function validate(address[] calldata recipients, uint32[] calldata shares) internal pure {
        uint256 n = recipients.length;
        if (n == 0) revert EmptySplit();
        if (n > MAX_RECIPIENTS) revert TooManyRecipients(n);
        if (shares.length != n) revert LengthMismatch();

        // Starting from the zero address makes "strictly ascending" also reject a zero first recipient.
        address previous = address(0);
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            address recipient = recipients[i];
            if (recipient <= previous) revert RecipientsNotSorted(i);
            uint32 share = shares[i];
            if (share == 0) revert ZeroShare(i);
            previous = recipient;
            // At most 100 uint32 values: cannot overflow a uint256.
            unchecked {
                sum += share;
            }
        }
        if (sum != TOTAL_PPM) revert SharesDoNotSumToTotal(sum);
    }

    /// @notice Divides `amount` by a valid split: part i is `floor(amount * shares[i] / 1e6)`, plus, for
    ///         the first recipient only, the remainder (at most n - 1 base units). The parts sum to
    ///         exactly `amount`.
    /// @dev `shares` must come from a split that passed `validate` (sum exactly `TOTAL_PPM`, non-empty);
    ///      otherwise the result is meaningless (or the call panics). Never overflows: the product is
    ///      computed as `(amount / 1e6) * share + (amount % 1e6) * share / 1e6`, which equals the floor of
    ///      `amount * share / 1e6` exactly, for any uint256 `amount`.
    /// @param amount The amount to divide, in token base units.
    /// @param shares The split's shares in parts per million.
    /// @return parts The amount for each recipient, in the order of `shares`.
    function allocate(uint256 amount, uint32[] memory shares) internal pure returns (uint256[] memory parts) {
        uint256 n = shares.length;
        parts = new uint256[](n);
        uint256 quotient = amount / TOTAL_PPM;
        uint256 rest = amount % TOTAL_PPM;
        uint256 distributed;
        for (uint256 i = 1; i < n; ++i) {
            uint256 share = shares[i];
            // quotient * share <= amount and rest * share < 1e12: no overflow, and distributed <= amount
            // because the shares of a valid split sum to TOTAL_PPM.
            uint256 part;
            unchecked {
                part = quotient * share + (rest * share) / TOTAL_PPM;
            }
            parts[i] = part;
            distributed += part;
        }
        // The first recipient's floor part plus the remainder of every other floor.
        parts[0] = amount - distributed;
    }
}
