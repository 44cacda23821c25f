// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title PayoutDistributor
/// @notice Pays out what the settlement operator computed, epoch by epoch. Each epoch publishes a
///         cumulative Merkle root of (account, token, cumulative amount): the total an account has earned
///         in a token since the beginning, not just in that epoch. Anyone may claim for any account (the
///         tokens always go to that account), so the node pushes payouts and nobody has to ask.
///
///         Safety, in order of importance:
///         - the total paid per token never exceeds what was funded into this contract (`fund`);
///         - no account is ever paid more than the cumulative amount of a final, non-voided root;
///         - a root becomes claimable only after its challenge window, during which the guardian may
///           void it (a dev chain uses a window of 0: claimable at once, never voidable).
///
/// @dev Gas design. `publishEpoch` stores only what claims need, in ONE slot per epoch: the first 192
///      bits of the payout root and `claimableAt` (which also marks a voided epoch); plus one packed
///      slot per token (cumulative published total, epoch that set it). Everything else (the full root,
///      plays root, data digest, token list, totals) lives in the `EpochPublished` event. Per token,
///      `funded` and `paid` share one slot (uint128 each), so a claim checks the funding with one SLOAD
///      and one SSTORE.
///
///      Root prefix. A proof is accepted when the root it computes starts with the stored 192 bits.
///      Forging a claim would take a second preimage of keccak256 truncated to 192 bits (about 2^192
///      work), so this is as safe as the full root in practice, and it saves a 22,100-gas storage write
///      on every publish and a 2,100-gas read on every claim.
///
///      Voided epochs and the published totals. Each published cumulative total must be at least the
///      previous one for that token (cumulative amounts never go down) and at most `funded`. A voided
///      epoch must not hold later publishes to its (possibly wrong, too high) totals, so the floor
///      for a token is the total published by the latest epoch that set it, unless that epoch may be
///      voided: when that epoch is at or below the highest voided epoch, the floor falls back to
///      `paid[token]`, which is always a true lower bound (it only grows from claims on final roots,
///      and a correct cumulative root always owes at least what was already paid). A lower floor can
///      never block a correct publish; it only weakens a sanity check that protects no funds (claims
///      are bounded by `funded` and by each account's `claimed` regardless). A voided epoch number is
///      not reused: the corrected root is published under the next epoch number, which, the roots
///      being cumulative, loses nothing.
contract PayoutDistributor is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice One claim of a batch: `account` is owed `cumulativeAmount` of `token` in total, proven
    ///         against the epoch's payout root by `proof`.
    struct Claim {
        address account;
        address token;
        uint256 cumulativeAmount;
        bytes32[] proof;
    }

    /// @dev What a claim needs to know about an epoch, in one slot: the payout root's first 192 bits and
    ///      when it becomes claimable; `claimableAt == 0`: never published, `== VOIDED`: voided.
    struct Epoch {
        bytes24 rootPrefix;
        uint64 claimableAt;
    }

    /// @dev Per-token money: everything funded and everything paid (pushed or credited as owed).
    struct Ledger {
        uint128 funded;
        uint128 paid;
    }

    /// @dev Per-token cumulative total of the latest publish that listed the token, and its epoch.
    struct Published {
        uint192 total;
        uint64 epoch;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address (the admin) is the zero address.
    error ZeroAddress();

    /// @notice The challenge window exceeds `MAX_CHALLENGE_WINDOW`.
    error ChallengeWindowTooLong(uint64 challengeWindow);

    /// @notice `fund` was called with an amount of zero.
    error ZeroAmount();

    /// @notice `token` delivered less than the amount asked for (a fee-on-transfer or otherwise
    ///         non-standard token); only standard ERC-20s are supported.
    error UnsupportedToken(address token);

    /// @notice Funding `token` would push its total funded amount beyond 2^128 - 1 base units.
    error FundingOverflow(address token);

    /// @notice `epoch` is not above the last published epoch: the next one must be at least `nextEpoch`.
    error EpochNotIncreasing(uint64 epoch, uint64 nextEpoch);

    /// @notice The payout root is zero (in its first 192 bits, the part that is stored).
    error ZeroRoot();

    /// @notice `tokens` and `cumulativeTotals` differ in length.
    error LengthMismatch();

    /// @notice `tokens` is not strictly ascending (so it could hold a token twice).
    error TokensNotAscending(address token);

    /// @notice The cumulative total for `token` is below the previous published one (`floor`).
    error TotalBelowPrevious(address token, uint256 total, uint256 floor);

    /// @notice The cumulative total for `token` exceeds what was funded for it.
    error TotalAboveFunded(address token, uint256 total, uint256 funded);

    /// @notice `epoch` was never published.
    error UnknownEpoch(uint64 epoch);

    /// @notice `epoch` was voided by the guardian: it cannot be voided again nor claimed.
    error VoidedEpoch(uint64 epoch);

    /// @notice `epoch` is past its challenge window (final): it can no longer be voided.
    error ChallengeWindowClosed(uint64 epoch);

    /// @notice `epoch` is still in its challenge window: it cannot be claimed before `claimableAt`.
    error EpochNotFinal(uint64 epoch, uint64 claimableAt);

    /// @notice The proof does not show (account, token, cumulativeAmount) to be a leaf of the root.
    error InvalidProof(address account, address token, uint256 cumulativeAmount);

    /// @notice Paying this claim would make the total paid in `token` exceed what was funded.
    error InsufficientFunding(address token, uint256 paid, uint256 funded);

    /// @notice The caller has no pull balance in `token`.
    error NothingOwed(address token);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice An epoch's payout root was published. Only the root's first 192 bits and `claimableAt` are
    ///         stored; the rest is here, so the epoch data's CID (from `dataDigest`) is recovered from the chain.
    event EpochPublished(
        uint64 indexed epoch,
        bytes32 payoutRoot,
        bytes32 playsRoot,
        bytes32 dataDigest,
        address[] tokens,
        uint256[] cumulativeTotals,
        uint64 claimableAt
    );

    /// @notice The guardian voided `epoch` during its challenge window.
    event EpochVoided(uint64 indexed epoch);

    /// @notice `from` funded the distributor with `amount` of `token`.
    event Funded(address indexed token, address indexed from, uint256 amount);

    /// @notice `account` was paid `amount` of `token` (its cumulative claimed total is now
    ///         `cumulativeAmount`) against the root of `epoch`; pushed, or credited as owed.
    event Claimed(
        uint64 indexed epoch, address indexed account, address indexed token, uint256 amount, uint256 cumulativeAmount
    );

    /// @notice The push of `amount` of `token` to `account` failed; it was credited to `owed` instead.
    event PaymentDeferred(address indexed account, address indexed token, uint256 amount);

    /// @notice `account` withdrew its pull balance of `amount` in `token`.
    event Withdrawn(address indexed account, address indexed token, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice Role of the settlement operator, who publishes epochs.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @notice Role that may void an epoch while its challenge window is open.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice The longest challenge window the constructor accepts.
    uint64 public constant MAX_CHALLENGE_WINDOW = 30 days;

    /// @dev `Epoch.claimableAt` of a voided epoch (never reached by a real time).
    uint64 private constant VOIDED = type(uint64).max;

    /// @notice Seconds between publishing an epoch and its root becoming claimable (0 on dev chains).
    uint64 public immutable challengeWindow;

    /// @notice The lowest epoch number the next `publishEpoch` may use.
    uint64 public nextEpoch;

    /// @dev One more than the highest voided epoch; 0 when no epoch was ever voided. Packed with
    ///      `nextEpoch`, so `publishEpoch` reads both with one SLOAD.
    uint64 private _voidedBelow;

    /// @notice Cumulative amount of `token` already paid to `account` (pushed or credited as owed).
    mapping(address account => mapping(address token => uint256)) public claimed;

    /// @notice Pull balance of `account` in `token`: payments whose push failed. See `withdraw`.
    mapping(address account => mapping(address token => uint256)) public owed;

    mapping(uint64 epoch => Epoch) private _epochs;
    mapping(address token => Ledger) private _ledgers;
    mapping(address token => Published) private _published;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Holder of `DEFAULT_ADMIN_ROLE` (grants and revokes the other roles); non-zero.
    /// @param operator Initial `OPERATOR_ROLE` holder, or the zero address for none.
    /// @param guardian Initial `GUARDIAN_ROLE` holder, or the zero address for none.
    /// @param challengeWindow_ Seconds an epoch stays voidable before it can be claimed (0 on dev chains);
    ///        at most `MAX_CHALLENGE_WINDOW`.
    constructor(address admin, address operator, address guardian, uint64 challengeWindow_) {
        if (admin == address(0)) revert ZeroAddress();
        if (challengeWindow_ > MAX_CHALLENGE_WINDOW) revert ChallengeWindowTooLong(challengeWindow_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (operator != address(0)) _grantRole(OPERATOR_ROLE, operator);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        challengeWindow = challengeWindow_;
    }

    /*//////////////////////////////////////////////////////////////
                                 FUNDING
    //////////////////////////////////////////////////////////////*/

    /// @notice Pulls `amount` of `token` from the caller (who must have approved it) and raises
    ///         `funded(token)` by it. Anyone may fund: the subscription vault, the rewards emitter, a
    ///         sponsor.
    /// @dev Reverts with `UnsupportedToken` when the balance grew by less than `amount` (fee on transfer).
    /// @param token The ERC-20 to fund.
    /// @param amount Amount in base units; non-zero.
    function fund(address token, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Ledger storage ledger = _ledgers[token];
        uint256 newFunded = uint256(ledger.funded) + amount;
        if (newFunded > type(uint128).max) revert FundingOverflow(token);

        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(token).balanceOf(address(this)) - balanceBefore < amount) revert UnsupportedToken(token);

        ledger.funded = uint128(newFunded);
        emit Funded(token, msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @notice Publishes the cumulative payout root of `epoch`; it becomes claimable `challengeWindow`
    ///         seconds from now unless the guardian voids it first.
    /// @dev `tokens` must be strictly ascending; each cumulative total must be at least the previous
    ///      non-voided one for its token (see the contract notes) and at most `funded(token)`. The totals
    ///      are a published commitment (what the root adds up to per token); claims are bounded by
    ///      `funded` whatever the leaves say.
    /// @param epoch Epoch number; at least `nextEpoch` (strictly above every published epoch).
    /// @param payoutRoot StandardMerkleTree root of (address account, address token, uint256 cumulativeAmount).
    /// @param playsRoot Root of the epoch's counted plays (verified off-chain); only emitted.
    /// @param dataDigest sha2-256 digest of the epoch's published data (CIDv1 raw); only emitted.
    /// @param tokens Tokens paid by this root, strictly ascending.
    /// @param cumulativeTotals For each token, the sum of all its cumulative amounts in the root.
    function publishEpoch(
        uint64 epoch,
        bytes32 payoutRoot,
        bytes32 playsRoot,
        bytes32 dataDigest,
        address[] calldata tokens,
        uint256[] calldata cumulativeTotals
    ) external onlyRole(OPERATOR_ROLE) {
        uint64 next = nextEpoch;
        if (epoch < next) revert EpochNotIncreasing(epoch, next);
        if (bytes24(payoutRoot) == bytes24(0)) revert ZeroRoot();
        if (tokens.length != cumulativeTotals.length) revert LengthMismatch();
        _recordTotals(epoch, tokens, cumulativeTotals);

        uint64 claimableAt = uint64(block.timestamp) + challengeWindow;
        _epochs[epoch] = Epoch({rootPrefix: bytes24(payoutRoot), claimableAt: claimableAt});
        nextEpoch = epoch + 1;
        emit EpochPublished(epoch, payoutRoot, playsRoot, dataDigest, tokens, cumulativeTotals, claimableAt);
    }

    /// @notice Voids `epoch` while its challenge window is open: it can never be claimed. Later publishes
    ///         are no longer held to its cumulative totals.
    /// @param epoch A published, not yet final, not voided epoch.
    function voidEpoch(uint64 epoch) external onlyRole(GUARDIAN_ROLE) {
        Epoch storage e = _epochs[epoch];
        uint64 claimableAt = e.claimableAt;
        if (claimableAt == 0) revert UnknownEpoch(epoch);
        if (claimableAt == VOIDED) revert VoidedEpoch(epoch);
        if (block.timestamp >= claimableAt) revert ChallengeWindowClosed(epoch);

        e.claimableAt = VOIDED;
        if (epoch >= _voidedBelow) _voidedBelow = epoch + 1;
        emit EpochVoided(epoch);
    }

    /*//////////////////////////////////////////////////////////////
                                 CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pays `account` what it is still owed in `token` according to the root of `epoch`:
    ///         `cumulativeAmount - claimed(account, token)`. Anyone may call; the tokens go to `account`.
    ///         If the push fails (a blocked recipient), the amount is credited to `owed` instead.
    /// @dev A no-op (no transfer, no event, no proof check) when nothing is due, e.g. already claimed or
    ///      `cumulativeAmount` is from an older root: concurrent or repeated claims never revert.
    /// @param epoch A final (published, past its challenge window), non-voided epoch.
    /// @param account The account paid.
    /// @param token The token paid.
    /// @param cumulativeAmount The account's cumulative amount of `token` in the epoch's root.
    /// @param proof StandardMerkleTree proof of the leaf (account, token, cumulativeAmount).
    function claim(uint64 epoch, address account, address token, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        nonReentrant
    {
        bytes24 root = _finalRoot(epoch);
        uint256 amount = _settle(root, epoch, account, token, cumulativeAmount, proof);
        if (amount == 0) return;
        _charge(token, amount);
        _push(account, token, amount);
    }

    /// @notice Pays every claim of the batch against the root of `epoch`, as `claim` does. An entry with
    ///         nothing due (already claimed, or listed twice) is skipped; an invalid proof reverts the batch.
    /// @dev Effects first: every leaf is verified and every `claimed` updated, then `paid` is checked and
    ///      written once per distinct token, then the tokens are pushed.
    /// @param epoch A final (published, past its challenge window), non-voided epoch.
    /// @param claims The claims, in any order, for any accounts and tokens.
    function claimMany(uint64 epoch, Claim[] calldata claims) external nonReentrant {
        bytes24 root = _finalRoot(epoch);
        uint256 count = claims.length;
        uint256[] memory amounts = new uint256[](count);
        address[] memory tokens = new address[](count);
        uint256[] memory sums = new uint256[](count);
        uint256 distinct;
        uint256 slot; // index of the last token seen, to skip the scan for runs of one token

        for (uint256 i; i < count; ++i) {
            Claim calldata c = claims[i];
            uint256 amount = _settle(root, epoch, c.account, c.token, c.cumulativeAmount, c.proof);
            if (amount == 0) continue;
            amounts[i] = amount;
            address token = c.token;
            if (distinct == 0 || tokens[slot] != token) {
                slot = 0;
                while (slot < distinct && tokens[slot] != token) ++slot;
                if (slot == distinct) tokens[distinct++] = token;
            }
            sums[slot] += amount;
        }

        for (uint256 j; j < distinct; ++j) {
            _charge(tokens[j], sums[j]);
        }

        for (uint256 i; i < count; ++i) {
            uint256 amount = amounts[i];
            if (amount != 0) _push(claims[i].account, claims[i].token, amount);
        }
    }

    /// @notice Withdraws the caller's pull balance in `token` (payments whose push failed).
    /// @param token The token to withdraw.
    function withdraw(address token) external nonReentrant {
        uint256 amount = owed[msg.sender][token];
        if (amount == 0) revert NothingOwed(token);
        owed[msg.sender][token] = 0;
        IERC20(token).safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, token, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Whether `epoch` is published, not voided and past its challenge window (claimable).
    /// @param epoch The epoch number.
    /// @return True when claims against the epoch's root are accepted.
    function isFinal(uint64 epoch) external view returns (bool) {
        uint64 claimableAt = _epochs[epoch].claimableAt;
        return claimableAt != 0 && block.timestamp >= claimableAt; // VOIDED is never reached
    }

    /// @notice What is stored for `epoch`.
    /// @param epoch The epoch number.
    /// @return rootPrefix The first 192 bits of the payout root (zero when never published); the full
    ///         root is in the `EpochPublished` event.
    /// @return claimableAt When the root becomes claimable (zero when never published or voided).
    /// @return voided Whether the guardian voided it.
    function epochOf(uint64 epoch) external view returns (bytes24 rootPrefix, uint64 claimableAt, bool voided) {
        Epoch memory e = _epochs[epoch];
        voided = e.claimableAt == VOIDED;
        return (e.rootPrefix, voided ? 0 : e.claimableAt, voided);
    }

    /// @notice Total amount of `token` ever funded into the distributor.
    /// @param token The token.
    /// @return The funded amount in base units.
    function funded(address token) external view returns (uint256) {
        return _ledgers[token].funded;
    }

    /// @notice Total amount of `token` paid out (pushed, or credited as owed); never above `funded`.
    /// @param token The token.
    /// @return The paid amount in base units.
    function paid(address token) external view returns (uint256) {
        return _ledgers[token].paid;
    }

    /// @notice The latest published cumulative total of `token` and the epoch that published it.
    /// @param token The token.
    /// @return total The cumulative total.
    /// @return epoch The epoch that set it (meaningless while `total` is zero).
    function publishedTotal(address token) external view returns (uint256 total, uint64 epoch) {
        Published memory p = _published[token];
        return (p.total, p.epoch);
    }

    /*//////////////////////////////////////////////////////////////
                                 PRIVATE
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks each token's cumulative total against its floor and its funding, and records it.
    function _recordTotals(uint64 epoch, address[] calldata tokens, uint256[] calldata cumulativeTotals) private {
        uint64 voidedBelow = _voidedBelow;
        address previous;
        for (uint256 i; i < tokens.length; ++i) {
            address token = tokens[i];
            if (token <= previous) revert TokensNotAscending(token);
            previous = token;

            uint256 total = cumulativeTotals[i];
            Ledger memory ledger = _ledgers[token];
            Published memory published = _published[token];
            // A total set by an epoch at or below the highest voided one may be void: fall back to `paid`.
            uint256 floor = published.epoch < voidedBelow ? uint256(ledger.paid) : uint256(published.total);
            if (total < floor) revert TotalBelowPrevious(token, total, floor);
            if (total > ledger.funded) revert TotalAboveFunded(token, total, ledger.funded);
            _published[token] = Published({total: uint192(total), epoch: epoch});
        }
    }

    /// @dev The root prefix of `epoch`, reverting unless it is published, not voided and final.
    function _finalRoot(uint64 epoch) private view returns (bytes24) {
        Epoch memory e = _epochs[epoch];
        if (e.claimableAt == 0) revert UnknownEpoch(epoch);
        if (e.claimableAt == VOIDED) revert VoidedEpoch(epoch);
        if (block.timestamp < e.claimableAt) revert EpochNotFinal(epoch, e.claimableAt);
        return e.rootPrefix;
    }

    /// @dev Verifies the leaf and records the new cumulative amount; returns what is due (0: nothing).
    function _settle(
        bytes24 root,
        uint64 epoch,
        address account,
        address token,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) private returns (uint256 amount) {
        uint256 already = claimed[account][token];
        if (cumulativeAmount <= already) return 0;
        if (bytes24(MerkleProof.processProofCalldata(proof, _leaf(account, token, cumulativeAmount))) != root) {
            revert InvalidProof(account, token, cumulativeAmount);
        }
        claimed[account][token] = cumulativeAmount;
        unchecked {
            amount = cumulativeAmount - already;
        }
        emit Claimed(epoch, account, token, amount, cumulativeAmount);
    }

    /// @dev Adds `amount` to what was paid in `token`, reverting when that would exceed what was funded.
    function _charge(address token, uint256 amount) private {
        Ledger storage ledger = _ledgers[token];
        uint256 funded_ = ledger.funded;
        uint256 newPaid = uint256(ledger.paid) + amount;
        if (newPaid > funded_) revert InsufficientFunding(token, newPaid, funded_);
        ledger.paid = uint128(newPaid); // newPaid <= funded_ < 2^128
    }

    /// @dev Pushes `amount` of `token` to `account`; when the transfer fails, credits it to `owed`.
    function _push(address account, address token, uint256 amount) private {
        if (!IERC20(token).trySafeTransfer(account, amount)) {
            owed[account][token] += amount;
            emit PaymentDeferred(account, token, amount);
        }
    }

    /// @dev StandardMerkleTree leaf of (address account, address token, uint256 cumulativeAmount):
    ///      keccak256(bytes.concat(keccak256(abi.encode(account, token, cumulativeAmount)))), computed in
    ///      scratch memory without allocating.
    function _leaf(address account, address token, uint256 cumulativeAmount) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x20), and(token, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x40), cumulativeAmount)
            mstore(0x00, keccak256(ptr, 0x60))
            leaf := keccak256(0x00, 0x20)
        }
    }
}
