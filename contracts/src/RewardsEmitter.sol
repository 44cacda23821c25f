// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {PayoutDistributor} from "./PayoutDistributor.sol";

/// @title RewardsEmitter
/// @notice Holds the FAIR rewards reserve and releases it into the `PayoutDistributor` on a schedule
///         published at deployment and fixed forever:
///
///             emissionFor(epoch) = initialPerEpoch >> (epoch / halvingEpochs)
///
///         i.e. `initialPerEpoch` for each of the first `halvingEpochs` epochs, then half of it, a quarter,
///         and so on (rounding down at each halving; zero once the shift reaches 256 or the amount runs
///         out). Epoch `e` covers [startTime + e * epochSeconds, startTime + (e + 1) * epochSeconds).
///         Anyone may call `emitUntil`: the schedule, not the caller, decides the amount, and the money
///         only becomes claimable through the distributor's payout roots.
/// @dev There is no owner and no way to take the reserve out other than the schedule. When the reserve
///      cannot cover the scheduled amount, what is left is emitted and the epochs still count as emitted:
///      the shortfall is never made up.
contract RewardsEmitter is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The token or the distributor is the zero address.
    error ZeroAddress();

    /// @notice `initialPerEpoch`, `halvingEpochs` or `epochSeconds` is zero.
    error InvalidSchedule();

    /// @notice `epoch` has not ended yet; it ends at `endsAt`.
    error EpochNotEnded(uint64 epoch, uint256 endsAt);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Epochs `fromEpoch` to `toEpoch` (inclusive) were emitted: `amount` funded the distributor.
    event Emitted(uint64 fromEpoch, uint64 toEpoch, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The rewards token (FAIR).
    IERC20 public immutable token;

    /// @notice The distributor the emission funds.
    PayoutDistributor public immutable distributor;

    /// @notice Emission of each epoch before the first halving, in base units.
    uint256 public immutable initialPerEpoch;

    /// @notice Number of epochs between two halvings.
    uint64 public immutable halvingEpochs;

    /// @notice Start of epoch 0 (seconds since the Unix epoch).
    uint64 public immutable startTime;

    /// @notice Length of one epoch in seconds.
    uint64 public immutable epochSeconds;

    /// @notice The first epoch not emitted yet.
    uint64 public nextEpoch;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param token_ The rewards token (FAIR); the reserve is transferred (or minted) to this contract.
    /// @param distributor_ The PayoutDistributor to fund.
    /// @param initialPerEpoch_ Emission per epoch before the first halving; non-zero.
    /// @param halvingEpochs_ Epochs between halvings; non-zero.
    /// @param startTime_ Start of epoch 0.
    /// @param epochSeconds_ Epoch length in seconds; non-zero.
    constructor(
        IERC20 token_,
        PayoutDistributor distributor_,
        uint256 initialPerEpoch_,
        uint64 halvingEpochs_,
        uint64 startTime_,
        uint64 epochSeconds_
    ) {
        if (address(token_) == address(0) || address(distributor_) == address(0)) revert ZeroAddress();
        if (initialPerEpoch_ == 0 || halvingEpochs_ == 0 || epochSeconds_ == 0) revert InvalidSchedule();
        token = token_;
        distributor = distributor_;
        initialPerEpoch = initialPerEpoch_;
        halvingEpochs = halvingEpochs_;
        startTime = startTime_;
        epochSeconds = epochSeconds_;
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Emits every epoch from `nextEpoch` to `epoch` (inclusive): funds the distributor with the
    ///         sum of their scheduled emissions, capped by the remaining reserve. Anyone may call.
    /// @dev A no-op returning 0 when `epoch` was already emitted, so concurrent callers never revert.
    /// @param epoch The last epoch to emit; its end time must have passed.
    /// @return amount The amount funded into the distributor.
    function emitUntil(uint64 epoch) external nonReentrant returns (uint256 amount) {
        uint256 endsAt = epochEnd(epoch);
        if (block.timestamp < endsAt) revert EpochNotEnded(epoch, endsAt);
        uint64 from = nextEpoch;
        if (epoch < from) return 0;

        nextEpoch = epoch + 1;
        amount = emissionBetween(from, epoch);
        uint256 available = token.balanceOf(address(this));
        if (amount > available) amount = available;
        emit Emitted(from, epoch, amount);
        if (amount == 0) return 0;
        token.forceApprove(address(distributor), amount);
        distributor.fund(address(token), amount);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The scheduled emission of `epoch`: `initialPerEpoch >> (epoch / halvingEpochs)`.
    /// @param epoch The epoch number.
    /// @return The amount in base units.
    function emissionFor(uint64 epoch) public view returns (uint256) {
        // A shift of 256 or more yields 0.
        return initialPerEpoch >> (epoch / halvingEpochs);
    }

    /// @notice The scheduled emission of epochs `from` to `to` inclusive (0 when `to < from`), ignoring
    ///         the reserve; computed per halving era, so its cost does not grow with the number of epochs.
    /// @param from First epoch.
    /// @param to Last epoch (inclusive).
    /// @return sum The total in base units.
    function emissionBetween(uint64 from, uint64 to) public view returns (uint256 sum) {
        uint256 halving = halvingEpochs;
        uint256 e = from;
        while (e <= to) {
            uint256 era = e / halving;
            uint256 perEpoch = initialPerEpoch >> era;
            if (perEpoch == 0) break;
            uint256 eraLast = (era + 1) * halving - 1;
            uint256 last = eraLast < to ? eraLast : to;
            sum += perEpoch * (last - e + 1);
            e = last + 1;
        }
    }

    /// @notice When `epoch` ends (exclusive): `startTime + (epoch + 1) * epochSeconds`.
    /// @param epoch The epoch number.
    /// @return The end time in seconds.
    function epochEnd(uint64 epoch) public view returns (uint256) {
        return uint256(startTime) + (uint256(epoch) + 1) * epochSeconds;
    }

    /// @notice The epoch in progress now (0 before `startTime`).
    /// @return The current epoch number.
    function currentEpoch() external view returns (uint64) {
        if (block.timestamp < startTime) return 0;
        return uint64((block.timestamp - startTime) / epochSeconds);
    }

    /// @notice The rewards not yet emitted: this contract's token balance.
    /// @return The reserve in base units.
    function reserve() external view returns (uint256) {
        return token.balanceOf(address(this));
    }
}
