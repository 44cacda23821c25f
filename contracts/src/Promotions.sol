// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TrackRegistry} from "./TrackRegistry.sol";

/// @title Promotions
/// @notice A track's owner spends FAIR to promote the track for whole days: the node shows a promoted
///         track in a labeled slot of trending and search until `promotedUntil(trackId)`. A promotion
///         never changes counted plays or payouts; it is only bought time in a labeled slot.
///
///         Price: `pricePerDay` FAIR per day, published here and set by the admin. A promotion is 1 to
///         `MAX_DAYS` days; buying while one runs extends it from its current end, and no promotion may
///         end more than `MAX_DAYS` days from now.
///
///         Where the FAIR goes: it is burned, sent to `BURN_ADDRESS` (0x…dEaD, whose key nobody has;
///         FAIR, a plain OpenZeppelin ERC-20, refuses transfers to the zero address and has no burn
///         function). It cannot go to stakers: `Staking` never accepts its own staked token as a
///         reward token (so the FAIR it holds is exactly the stakes), and its fee path pays the
///         stablecoin fee. Burning a fixed supply leaves every holder, stakers included, a larger share.
/// @dev Every unit paid is moved in the same transaction from the promoter to `BURN_ADDRESS`; this
///      contract never holds FAIR, so `totalBurned` equals the sum of every `Promoted` amount.
contract Promotions is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Where every FAIR paid for a promotion goes: an address nobody controls.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @notice The longest promotion, in days, and how far ahead of now any promotion may end.
    uint256 public constant MAX_DAYS = 90;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An address given to the constructor is the zero address.
    error ZeroAddress();

    /// @notice A price per day of zero was given.
    error ZeroPrice();

    /// @notice A promotion of zero days was asked for.
    error ZeroDays();

    /// @notice `days_` is more than `MAX_DAYS`, the longest promotion.
    error TooManyDays(uint256 days_, uint256 maxDays);

    /// @notice Extending the running promotion would make it end at `endsAt`, after `latestEnd` (now +
    ///         `MAX_DAYS` days): buy fewer days, or later.
    error PeriodTooLong(uint64 endsAt, uint64 latestEnd);

    /// @notice No track is registered under `trackId` (same selector as `TrackRegistry.UnknownTrack`,
    ///         which is what the registry reverts with).
    error UnknownTrack(bytes32 trackId);

    /// @notice `caller` is not the owner of `trackId`: only a track's owner may promote it.
    error NotTrackOwner(bytes32 trackId, address caller);

    /// @notice The caller offered `amount` FAIR, less than the `cost` of the promotion (price × days).
    error PaymentTooLow(uint256 amount, uint256 cost);

    /// @notice The caller holds `balance` FAIR, less than the `cost` of the promotion.
    error InsufficientBalance(uint256 balance, uint256 cost);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `promoter` (the track's owner) paid `amount` FAIR, burned, to promote `trackId` from
    ///         `startsAt` (now, or the end of the running promotion it extends) to `endsAt`.
    event Promoted(bytes32 indexed trackId, address indexed promoter, uint64 startsAt, uint64 endsAt, uint256 amount);

    /// @notice The admin changed the price of a day of promotion from `previous` to `price`.
    event PriceChanged(uint256 previous, uint256 price);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice FAIR, the token promotions are paid in.
    IERC20 public immutable fair;

    /// @notice The registry that says who owns each track.
    TrackRegistry public immutable registry;

    /// @notice The price of one day of promotion, in FAIR base units.
    uint256 public pricePerDay;

    /// @notice Every FAIR base unit ever paid for promotions (all of it burned).
    uint256 public totalBurned;

    /// @notice When each track's promotion ends (Unix seconds; 0 or a past time: not promoted). Never
    ///         decreases.
    mapping(bytes32 trackId => uint64) public promotedUntil;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates the promotions market.
    /// @param fair_ FAIR; non-zero.
    /// @param registry_ The `TrackRegistry`; non-zero.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`, who sets the price; non-zero.
    /// @param pricePerDay_ The initial price of a day, in FAIR base units; non-zero.
    constructor(IERC20 fair_, TrackRegistry registry_, address admin, uint256 pricePerDay_) {
        if (address(fair_) == address(0) || address(registry_) == address(0) || admin == address(0)) {
            revert ZeroAddress();
        }
        if (pricePerDay_ == 0) revert ZeroPrice();
        fair = fair_;
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        pricePerDay = pricePerDay_;
        emit PriceChanged(0, pricePerDay_);
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Promotes `trackId` for `days_` days, from now or from the end of its running promotion,
    ///         paying `pricePerDay × days_` FAIR (burned) from the caller, who must own the track and
    ///         have approved this contract.
    /// @param trackId A registered track owned by the caller.
    /// @param days_ Whole days, 1 to `MAX_DAYS`; the promotion may end at most `MAX_DAYS` days from now.
    /// @param maxAmount The most FAIR the caller agrees to pay: at least the cost, which is what is
    ///        taken (a guard against a price change between reading the price and this transaction).
    /// @return endsAt When the promotion now ends.
    function promote(bytes32 trackId, uint256 days_, uint256 maxAmount) external nonReentrant returns (uint64 endsAt) {
        return _promote(trackId, days_, maxAmount);
    }

    /// @notice Like `promote`, approving this contract first with an EIP-2612 permit signed by the caller
    ///         for `maxAmount`. A permit that fails (e.g. already submitted by someone else) is ignored:
    ///         the promotion then goes ahead if the allowance suffices.
    /// @param trackId A registered track owned by the caller.
    /// @param days_ Whole days, 1 to `MAX_DAYS`.
    /// @param maxAmount The most FAIR the caller agrees to pay, and the permit's value.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return endsAt When the promotion now ends.
    function promoteWithPermit(
        bytes32 trackId,
        uint256 days_,
        uint256 maxAmount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint64 endsAt) {
        // A front-run permit must not block the promotion: the allowance is what matters.
        try IERC20Permit(address(fair)).permit(msg.sender, address(this), maxAmount, deadline, v, r, s) {} catch {}
        return _promote(trackId, days_, maxAmount);
    }

    /// @notice Sets the price of one day of promotion. Only `DEFAULT_ADMIN_ROLE`. Running promotions are
    ///         not affected.
    /// @param price The new price in FAIR base units; non-zero.
    function setPricePerDay(uint256 price) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (price == 0) revert ZeroPrice();
        emit PriceChanged(pricePerDay, price);
        pricePerDay = price;
    }

    /// @notice What a promotion of `days_` days costs at the current price.
    /// @param days_ Whole days, 1 to `MAX_DAYS`.
    /// @return The cost in FAIR base units.
    function quote(uint256 days_) external view returns (uint256) {
        _requireValidDays(days_);
        return pricePerDay * days_;
    }

    /// @notice Whether `trackId` is promoted right now.
    /// @param trackId The track.
    /// @return True while its promotion runs.
    function isPromoted(bytes32 trackId) external view returns (bool) {
        return block.timestamp < promotedUntil[trackId];
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _promote(bytes32 trackId, uint256 days_, uint256 maxAmount) private returns (uint64 endsAt) {
        _requireValidDays(days_);
        // The registry reverts with UnknownTrack(trackId) for an unregistered track.
        (address owner,,,) = registry.trackOf(trackId);
        if (owner != msg.sender) revert NotTrackOwner(trackId, msg.sender);

        uint256 cost = pricePerDay * days_;
        if (maxAmount < cost) revert PaymentTooLow(maxAmount, cost);
        uint256 balance = fair.balanceOf(msg.sender);
        if (balance < cost) revert InsufficientBalance(balance, cost);

        uint64 now_ = uint64(block.timestamp);
        uint64 current = promotedUntil[trackId];
        uint64 startsAt = current > now_ ? current : now_;
        endsAt = startsAt + uint64(days_) * 1 days; // days_ <= MAX_DAYS: no overflow
        uint64 latestEnd = now_ + uint64(MAX_DAYS) * 1 days;
        if (endsAt > latestEnd) revert PeriodTooLong(endsAt, latestEnd);

        promotedUntil[trackId] = endsAt;
        totalBurned += cost;
        emit Promoted(trackId, msg.sender, startsAt, endsAt, cost);
        fair.safeTransferFrom(msg.sender, BURN_ADDRESS, cost);
    }

    function _requireValidDays(uint256 days_) private pure {
        if (days_ == 0) revert ZeroDays();
        if (days_ > MAX_DAYS) revert TooManyDays(days_, MAX_DAYS);
    }
}
