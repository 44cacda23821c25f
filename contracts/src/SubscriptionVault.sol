// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {PayoutDistributor} from "./PayoutDistributor.sol";
import {EarningsLib} from "./libraries/EarningsLib.sol";

/// @title SubscriptionVault
/// @notice Fans pay a subscription in a stablecoin, for whole periods at the price fixed at deployment.
///         The money is earned second by second over the subscribed time and released, epoch by epoch,
///         by the settlement operator into the `PayoutDistributor`, where it pays the artists the
///         subscriber listened to. Periods not yet started can be cancelled and are refunded.
/// @dev Per subscriber the vault keeps one segment [start, end) of whole periods, `paid` (everything
///      paid, net of refunds) and `released`; `EarningsLib` derives the earned amount from them. Earned
///      amounts are cumulative and exact: the releases of a subscription add up to exactly what it paid,
///      rounding down only at intermediate times (see EarningsLib). Invariant: the vault's token balance
///      equals the sum over subscribers of `paid - released`.
contract SubscriptionVault is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev One subscriber's state: two slots.
    struct Subscription {
        uint64 start;
        uint64 end;
        uint128 paid;
        uint128 released;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address (admin, token, distributor or subscriber) is the zero address.
    error ZeroAddress();

    /// @notice The price is zero or above 2^128 - 1, or the period length is zero.
    error InvalidTerms();

    /// @notice `subscribe` was called for zero periods.
    error ZeroPeriods();

    /// @notice The subscription would end beyond 2^64 - 1 seconds or cost more than 2^128 - 1 in total.
    error SubscriptionTooLarge();

    /// @notice The stablecoin delivered less than the amount asked for (fee on transfer).
    error UnsupportedToken(address token);

    /// @notice `subscriber` has no subscription running now.
    error NotActive(address subscriber);

    /// @notice The subscription has no period that has not started yet: nothing to refund.
    error NothingToRefund();

    /// @notice `release` was asked to release up to a time in the future.
    error UntilInFuture(uint64 until);

    /// @notice A relayed permit is neither valid now nor `subscriber`'s permit for exactly this payment,
    ///         already used, with its allowance untouched (see `subscribeForWithPermit`).
    error InvalidPermit(address subscriber);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `subscriber` paid `amount` for `periods` more periods; the subscription now runs from
    ///         `start` to `end`.
    event Subscribed(address indexed subscriber, uint32 periods, uint256 amount, uint64 start, uint64 end);

    /// @notice `subscriber` cancelled: `refund` was paid back and the subscription now ends at `end`.
    event Cancelled(address indexed subscriber, uint256 refund, uint64 end);

    /// @notice `amount` of `subscriber`'s money, earned by `until`, was released to the distributor.
    event Released(address indexed subscriber, uint64 until, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice Role of the settlement operator, who releases earned money to the distributor.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev EIP-2612's Permit struct type hash, to recognise a relayed permit that was already used.
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// @notice The stablecoin subscriptions are paid in.
    IERC20 public immutable token;

    /// @notice Price of one period, in the stablecoin's base units.
    uint256 public immutable pricePerPeriod;

    /// @notice Length of one period in seconds (e.g. 30 days on public chains, shorter on dev chains).
    uint64 public immutable periodSeconds;

    /// @notice The distributor that released money funds.
    PayoutDistributor public immutable distributor;

    mapping(address subscriber => Subscription) private _subscriptions;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Holder of `DEFAULT_ADMIN_ROLE`; non-zero.
    /// @param operator Initial `OPERATOR_ROLE` holder, or the zero address for none.
    /// @param token_ The stablecoin (a standard ERC-20, ideally with EIP-2612 permit).
    /// @param pricePerPeriod_ Price of one period in base units; non-zero, below 2^128.
    /// @param periodSeconds_ Length of one period in seconds; non-zero.
    /// @param distributor_ The PayoutDistributor released money is funded into.
    constructor(
        address admin,
        address operator,
        IERC20 token_,
        uint256 pricePerPeriod_,
        uint64 periodSeconds_,
        PayoutDistributor distributor_
    ) {
        if (admin == address(0) || address(token_) == address(0) || address(distributor_) == address(0)) {
            revert ZeroAddress();
        }
        if (pricePerPeriod_ == 0 || pricePerPeriod_ > type(uint128).max || periodSeconds_ == 0) revert InvalidTerms();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (operator != address(0)) _grantRole(OPERATOR_ROLE, operator);
        token = token_;
        pricePerPeriod = pricePerPeriod_;
        periodSeconds = periodSeconds_;
        distributor = distributor_;
    }

    /*//////////////////////////////////////////////////////////////
                              SUBSCRIBERS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pays `periods * pricePerPeriod` (approved beforehand) for `periods` more periods: starts
    ///         now, or extends the end of the subscription running now.
    /// @param periods Number of periods; non-zero.
    function subscribe(uint32 periods) external nonReentrant {
        _subscribe(msg.sender, periods);
    }

    /// @notice `subscribe` with an EIP-2612 permit for the payment, in one transaction.
    /// @dev The permit is tried and its failure ignored (someone may have submitted it first); the
    ///      payment then needs the allowance to be in place anyway.
    /// @param periods Number of periods; non-zero.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function subscribeWithPermit(uint32 periods, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), pricePerPeriod * periods, deadline, v, r, s) {}
            catch {}
        _subscribe(msg.sender, periods);
    }

    /// @notice Subscribes `subscriber` for `periods` more periods, paid from `subscriber`'s wallet with
    ///         the EIP-2612 permit it signed for exactly `periods * pricePerPeriod` to this vault. Anyone may
    ///         send it (a relayer pays the gas; the node does, for wallets without gas): the permit binds
    ///         owner, spender and value, so the sender can only make the payment the subscriber signed.
    /// @dev As in `subscribeWithPermit`, a permit someone submitted first (front-running) is not an
    ///      error. Unlike there, the allowance is not trusted blindly, because the payer is not the
    ///      sender: when the permit cannot be applied, the call goes on only if the signature is
    ///      `subscriber`'s over this very permit at the previous nonce (so it was used just now) and the
    ///      allowance is exactly what it granted. A forged or mismatched signature, or a replay of a
    ///      spent permit, can therefore never spend an allowance given for something else.
    /// @param subscriber The wallet that signed the permit, pays and is subscribed; non-zero.
    /// @param periods Number of periods; non-zero.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function subscribeForWithPermit(address subscriber, uint32 periods, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        if (subscriber == address(0)) revert ZeroAddress();
        uint256 amount = pricePerPeriod * periods; // < 2^128 * 2^32: no overflow
        try IERC20Permit(address(token)).permit(subscriber, address(this), amount, deadline, v, r, s) {}
        catch {
            _requireUsedPermit(subscriber, amount, deadline, v, r, s);
        }
        _subscribe(subscriber, periods);
    }

    /// @notice Cancels the periods that have not started yet and refunds them. The period in progress is
    ///         not refunded: the subscription runs until its end.
    function cancel() external nonReentrant {
        Subscription storage sub = _subscriptions[msg.sender];
        uint64 start = sub.start;
        uint64 end = sub.end;
        uint64 now_ = uint64(block.timestamp);
        if (now_ >= end) revert NotActive(msg.sender);

        uint64 newEnd = EarningsLib.cancelledEnd(periodSeconds, start, now_);
        if (newEnd == end) revert NothingToRefund();
        uint256 refund = EarningsLib.segmentPaid(pricePerPeriod, periodSeconds, newEnd, end);

        sub.end = newEnd;
        sub.paid -= uint128(refund); // refund <= segment price <= paid
        token.safeTransfer(msg.sender, refund);
        emit Cancelled(msg.sender, refund, newEnd);
    }

    /*//////////////////////////////////////////////////////////////
                                OPERATOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Releases, for each subscriber, what it earned by `until` and was not released yet, into
    ///         the distributor (one `fund` for the whole batch). Emits `Released` for each subscriber with
    ///         a non-zero amount; a subscriber listed twice, or with nothing new, is skipped.
    /// @param subscribers The subscribers to release.
    /// @param until Time to release up to (typically the end of the epoch being settled); not in the future.
    function release(address[] calldata subscribers, uint64 until) external onlyRole(OPERATOR_ROLE) nonReentrant {
        if (until > block.timestamp) revert UntilInFuture(until);
        uint256 price = pricePerPeriod;
        uint256 period = periodSeconds;
        uint256 total;
        for (uint256 i; i < subscribers.length; ++i) {
            address subscriber = subscribers[i];
            Subscription storage sub = _subscriptions[subscriber];
            uint256 earnedNow = EarningsLib.earned(price, period, sub.start, sub.end, sub.paid, until);
            uint256 released = sub.released;
            if (earnedNow <= released) continue;
            uint256 amount = earnedNow - released;
            sub.released = uint128(earnedNow); // earnedNow <= paid < 2^128
            total += amount;
            emit Released(subscriber, until, amount);
        }
        if (total == 0) return;
        token.forceApprove(address(distributor), total);
        distributor.fund(address(token), total);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Cumulative amount `subscriber` earned by `until` (released or not); at most `paid`.
    /// @param subscriber The subscriber.
    /// @param until The time (seconds since the epoch).
    /// @return The cumulative earned amount in base units.
    function earned(address subscriber, uint64 until) external view returns (uint256) {
        Subscription memory sub = _subscriptions[subscriber];
        return EarningsLib.earned(pricePerPeriod, periodSeconds, sub.start, sub.end, sub.paid, until);
    }

    /// @notice A subscriber's state.
    /// @param subscriber The subscriber.
    /// @return start First second of the current segment (after a lapse, the resubscription time).
    /// @return end End of the subscription (exclusive); zero when never subscribed.
    /// @return paid Everything paid, net of refunds.
    /// @return released Everything released to the distributor.
    function subscriptionOf(address subscriber)
        external
        view
        returns (uint64 start, uint64 end, uint256 paid, uint256 released)
    {
        Subscription memory sub = _subscriptions[subscriber];
        return (sub.start, sub.end, sub.paid, sub.released);
    }

    /// @notice Whether `subscriber`'s subscription is running now.
    /// @param subscriber The subscriber.
    /// @return True when now is before the end of the subscription.
    function isActive(address subscriber) external view returns (bool) {
        return block.timestamp < _subscriptions[subscriber].end;
    }

    /*//////////////////////////////////////////////////////////////
                                 PRIVATE
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts unless (v, r, s) is `subscriber`'s signature of the permit (this vault, `amount`,
    ///      `deadline`) at the nonce just before the current one, and the allowance is still exactly
    ///      `amount`: the permit was applied by someone else and nothing has spent it since.
    function _requireUsedPermit(address subscriber, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        private
        view
    {
        IERC20Permit permitToken = IERC20Permit(address(token));
        uint256 nonce = permitToken.nonces(subscriber);
        if (nonce != 0 && token.allowance(subscriber, address(this)) == amount) {
            bytes32 structHash =
                keccak256(abi.encode(PERMIT_TYPEHASH, subscriber, address(this), amount, nonce - 1, deadline));
            bytes32 digest = MessageHashUtils.toTypedDataHash(permitToken.DOMAIN_SEPARATOR(), structHash);
            (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, v, r, s);
            if (error == ECDSA.RecoverError.NoError && signer == subscriber) return;
        }
        revert InvalidPermit(subscriber);
    }

    function _subscribe(address subscriber, uint32 periods) private {
        if (periods == 0) revert ZeroPeriods();
        uint256 amount = pricePerPeriod * periods;
        Subscription storage sub = _subscriptions[subscriber];
        uint64 now_ = uint64(block.timestamp);
        uint64 oldEnd = sub.end;
        // Running: extend the end (same rate, so nothing earned moves). Lapsed or new: a new segment now.
        uint64 start = now_ < oldEnd ? sub.start : now_;
        uint256 end = uint256(now_ < oldEnd ? oldEnd : now_) + uint256(periodSeconds) * periods;
        uint256 paid = uint256(sub.paid) + amount;
        if (end > type(uint64).max || paid > type(uint128).max) revert SubscriptionTooLarge();

        sub.start = start;
        sub.end = uint64(end);
        sub.paid = uint128(paid);

        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(subscriber, address(this), amount);
        if (token.balanceOf(address(this)) - balanceBefore < amount) revert UnsupportedToken(address(token));

        emit Subscribed(subscriber, periods, amount, start, uint64(end));
    }
}
