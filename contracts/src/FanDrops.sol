// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title FanDrops
/// @notice Anyone (an artist rewarding their top fans) sends FAIR to many accounts in one transaction:
///         `createDrop` moves the whole total in, with the Merkle root of the (account, amount) leaves;
///         then anyone may `claim` (or `claimMany`) an account's amount with its proof, and the FAIR
///         always goes to that account, so the artist or the node pushes the drop and nobody has to ask.
///         Once the drop expires, claims stop and its creator may take back what is unclaimed.
///
///         Safety: an account is paid at most once per drop; the sum paid out of a drop never exceeds
///         its funded total (nor are more accounts paid than the drop declared); this contract's FAIR
///         balance always covers every drop's unclaimed, unreclaimed remainder.
/// @dev Leaves are StandardMerkleTree leaves of (address account, uint256 amount):
///      keccak256(bytes.concat(keccak256(abi.encode(account, amount)))), as in `PayoutDistributor`.
///      A tree must hold each account once (the builder refuses duplicates); were an account listed
///      twice, only its first claim would pay, and the total still bounds what leaves the drop.
///      The token is FAIR, a plain OpenZeppelin ERC-20 fixed at construction: transfers move exact
///      amounts and never call the recipient, and a push to a non-zero address cannot fail, so claims
///      push directly (no pull balances are needed). Amounts fit 96 bits: FAIR's whole supply is 1e27
///      base units, below 2^96 (about 7.9e28).
contract FanDrops is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice One claim of a batch: `account` is owed `amount` by the drop, proven by `proof`.
    struct Claim {
        address account;
        uint256 amount;
        bytes32[] proof;
    }

    /// @notice A drop. Slot 0: creator, expiresAt, recipients, reclaimed; slot 1: root; slot 2: total,
    ///         claimed, claimedCount (a claim writes only slot 2).
    struct Drop {
        address creator;
        uint40 expiresAt;
        uint32 recipients;
        bool reclaimed;
        bytes32 root;
        uint96 total;
        uint96 claimed;
        uint32 claimedCount;
    }

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The shortest claim window a drop may have.
    uint64 public constant MIN_CLAIM_WINDOW = 1 days;

    /// @notice The longest claim window a drop may have.
    uint64 public constant MAX_CLAIM_WINDOW = 365 days;

    /// @notice The longest reason (a short text, a metadata hash or a CID), in bytes.
    uint256 public constant MAX_REASON_BYTES = 256;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The token given to the constructor is the zero address.
    error ZeroAddress();

    /// @notice A drop's total is zero.
    error ZeroTotal();

    /// @notice A drop's Merkle root is zero.
    error ZeroRoot();

    /// @notice A drop declares zero recipients, or more recipients than base units to share.
    error InvalidRecipients(uint32 recipients, uint256 total);

    /// @notice The claim window is outside [`MIN_CLAIM_WINDOW`, `MAX_CLAIM_WINDOW`].
    error InvalidClaimWindow(uint64 claimWindow);

    /// @notice The reason is longer than `MAX_REASON_BYTES`.
    error ReasonTooLong(uint256 length);

    /// @notice The creator holds `balance` FAIR, less than the drop's `total`.
    error InsufficientBalance(uint256 balance, uint256 total);

    /// @notice No drop has the id `dropId`.
    error UnknownDrop(uint256 dropId);

    /// @notice The drop's claim window closed at `expiresAt`.
    error DropExpired(uint256 dropId, uint64 expiresAt);

    /// @notice The drop's claim window is open until `expiresAt`; what is unclaimed comes back after it.
    error DropNotExpired(uint256 dropId, uint64 expiresAt);

    /// @notice The proof does not show (account, amount) to be a leaf of the drop's root.
    error InvalidProof(uint256 dropId, address account, uint256 amount);

    /// @notice `account` was already paid by this drop.
    error AlreadyClaimed(uint256 dropId, address account);

    /// @notice Paying this claim would take the drop's paid total to `claimed`, above its `total`.
    error ExceedsDropTotal(uint256 dropId, uint256 claimed, uint256 total);

    /// @notice Paying this claim would pay more accounts than the drop's declared `recipients`.
    error ExceedsRecipients(uint256 dropId, uint32 recipients);

    /// @notice `caller` did not create the drop.
    error NotDropCreator(uint256 dropId, address caller);

    /// @notice Nothing of the drop is left to reclaim (all claimed, or reclaimed already).
    error NothingToReclaim(uint256 dropId);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `creator` funded drop `dropId` with `total` FAIR for `recipients` accounts, with the root of
    ///         their (account, amount) leaves and a `reason` (text, metadata hash or CID); claims are open
    ///         until `expiresAt`.
    event DropCreated(
        uint256 indexed dropId,
        address indexed creator,
        bytes32 root,
        uint256 total,
        uint32 recipients,
        string reason,
        uint64 expiresAt
    );

    /// @notice `account` was paid `amount` FAIR by drop `dropId`.
    event DropClaimed(uint256 indexed dropId, address indexed account, uint256 amount);

    /// @notice After the drop expired, its creator took back the `amount` left unclaimed.
    event DropReclaimed(uint256 indexed dropId, address indexed creator, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice FAIR, the token every drop pays.
    IERC20 public immutable fair;

    /// @notice How many drops were created; drop ids run from 1 to `dropCount`.
    uint256 public dropCount;

    mapping(uint256 dropId => Drop) private _drops;

    /// @notice Whether drop `dropId` has paid `account`.
    mapping(uint256 dropId => mapping(address account => bool)) public isClaimed;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates the drops contract for FAIR.
    /// @param fair_ FAIR (a standard ERC-20 with permit); non-zero.
    constructor(IERC20 fair_) {
        if (address(fair_) == address(0)) revert ZeroAddress();
        fair = fair_;
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a drop: pulls `total` FAIR from the caller (who approved this contract) and opens
    ///         claims of the leaves under `root` for `claimWindow` seconds.
    /// @param root StandardMerkleTree root of (address account, uint256 amount), each account once.
    /// @param total The FAIR to share, in base units: the sum of the leaves' amounts; non-zero.
    /// @param recipients The number of leaves; 1 to `total` (each leaf pays at least one base unit).
    /// @param claimWindow Seconds claims stay open, `MIN_CLAIM_WINDOW` to `MAX_CLAIM_WINDOW`.
    /// @param reason Why (e.g. "Top 100 fans of 2025") or the hash/CID of a metadata document; at most
    ///        `MAX_REASON_BYTES` bytes; only emitted.
    /// @return dropId The new drop's id.
    function createDrop(bytes32 root, uint256 total, uint32 recipients, uint64 claimWindow, string calldata reason)
        external
        nonReentrant
        returns (uint256 dropId)
    {
        return _create(root, total, recipients, claimWindow, reason);
    }

    /// @notice Like `createDrop`, approving this contract first with an EIP-2612 permit signed by the
    ///         caller for exactly `total`. A permit that fails (e.g. already submitted by someone else) is
    ///         ignored: the drop is then created if the allowance suffices.
    /// @param root StandardMerkleTree root of (address account, uint256 amount), each account once.
    /// @param total The FAIR to share, in base units; non-zero; the permit's value.
    /// @param recipients The number of leaves; 1 to `total`.
    /// @param claimWindow Seconds claims stay open, `MIN_CLAIM_WINDOW` to `MAX_CLAIM_WINDOW`.
    /// @param reason At most `MAX_REASON_BYTES` bytes; only emitted.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return dropId The new drop's id.
    function createDropWithPermit(
        bytes32 root,
        uint256 total,
        uint32 recipients,
        uint64 claimWindow,
        string calldata reason,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 dropId) {
        try IERC20Permit(address(fair)).permit(msg.sender, address(this), total, deadline, v, r, s) {} catch {}
        return _create(root, total, recipients, claimWindow, reason);
    }

    /// @notice Pays `account` its `amount` from drop `dropId`. Anyone may call; the FAIR goes to `account`.
    /// @param dropId A drop whose claim window is open.
    /// @param account The account paid; not paid by this drop before.
    /// @param amount The account's amount in the drop's tree.
    /// @param proof StandardMerkleTree proof of the leaf (account, amount).
    function claim(uint256 dropId, address account, uint256 amount, bytes32[] calldata proof) external nonReentrant {
        Drop storage drop = _openDrop(dropId);
        if (isClaimed[dropId][account]) revert AlreadyClaimed(dropId, account);
        _verify(drop.root, dropId, account, amount, proof);
        isClaimed[dropId][account] = true;
        _charge(drop, dropId, amount, 1);
        emit DropClaimed(dropId, account, amount);
        fair.safeTransfer(account, amount);
    }

    /// @notice Pays every claim of the batch from drop `dropId`, as `claim` does. An account already paid
    ///         (earlier, or listed twice in the batch) is skipped, so a retried or overlapping batch never
    ///         reverts for it; an invalid proof reverts the whole batch.
    /// @param dropId A drop whose claim window is open.
    /// @param claims The claims, in any order.
    function claimMany(uint256 dropId, Claim[] calldata claims) external nonReentrant {
        Drop storage drop = _openDrop(dropId);
        bytes32 root = drop.root;
        uint256 count = claims.length;
        // Effects first: verify and mark every entry due, then charge the drop once, then pay. An entry
        // listed twice is due only at its first occurrence (the mark skips the second).
        bool[] memory due = new bool[](count);
        uint256 sum;
        uint256 dueCount;
        for (uint256 i; i < count; ++i) {
            Claim calldata c = claims[i];
            if (isClaimed[dropId][c.account]) continue;
            _verify(root, dropId, c.account, c.amount, c.proof);
            isClaimed[dropId][c.account] = true;
            due[i] = true;
            sum += c.amount;
            ++dueCount;
        }
        if (dueCount == 0) return;
        _charge(drop, dropId, sum, dueCount);
        for (uint256 i; i < count; ++i) {
            if (!due[i]) continue;
            Claim calldata c = claims[i];
            emit DropClaimed(dropId, c.account, c.amount);
            fair.safeTransfer(c.account, c.amount);
        }
    }

    /// @notice Sends the creator what drop `dropId` left unclaimed, once its claim window has closed.
    ///         Only the drop's creator.
    /// @param dropId An expired drop with something unclaimed.
    /// @return amount The FAIR returned.
    function reclaim(uint256 dropId) external nonReentrant returns (uint256 amount) {
        Drop storage drop = _existingDrop(dropId);
        if (drop.creator != msg.sender) revert NotDropCreator(dropId, msg.sender);
        uint64 expiresAt = drop.expiresAt;
        if (block.timestamp < expiresAt) revert DropNotExpired(dropId, expiresAt);
        amount = uint256(drop.total) - drop.claimed;
        if (drop.reclaimed || amount == 0) revert NothingToReclaim(dropId);
        drop.reclaimed = true;
        emit DropReclaimed(dropId, msg.sender, amount);
        fair.safeTransfer(msg.sender, amount);
    }

    /// @notice A drop as stored.
    /// @param dropId The drop (reverts with `UnknownDrop` for an id never created).
    /// @return The drop: creator, expiresAt, recipients, reclaimed, root, total, claimed, claimedCount.
    function dropOf(uint256 dropId) external view returns (Drop memory) {
        return _existingDrop(dropId);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _create(bytes32 root, uint256 total, uint32 recipients, uint64 claimWindow, string calldata reason)
        private
        returns (uint256 dropId)
    {
        if (total == 0) revert ZeroTotal();
        if (root == bytes32(0)) revert ZeroRoot();
        if (recipients == 0 || recipients > total) revert InvalidRecipients(recipients, total);
        if (claimWindow < MIN_CLAIM_WINDOW || claimWindow > MAX_CLAIM_WINDOW) revert InvalidClaimWindow(claimWindow);
        if (bytes(reason).length > MAX_REASON_BYTES) revert ReasonTooLong(bytes(reason).length);
        // Checked first so that too large a total is a clear error, not the token's transfer failure.
        uint256 balance = fair.balanceOf(msg.sender);
        if (balance < total) revert InsufficientBalance(balance, total);

        dropId = ++dropCount;
        uint64 expiresAt = uint64(block.timestamp) + claimWindow;
        _drops[dropId] = Drop({
            creator: msg.sender,
            expiresAt: uint40(expiresAt), // below 2^40 until the year 36812
            recipients: recipients,
            reclaimed: false,
            root: root,
            total: SafeCast.toUint96(total), // total <= balance <= FAIR's supply < 2^96
            claimed: 0,
            claimedCount: 0
        });
        emit DropCreated(dropId, msg.sender, root, total, recipients, reason, expiresAt);
        fair.safeTransferFrom(msg.sender, address(this), total);
    }

    /// @dev The drop, reverting unless it exists and its claim window is open.
    function _openDrop(uint256 dropId) private view returns (Drop storage drop) {
        drop = _existingDrop(dropId);
        uint64 expiresAt = drop.expiresAt;
        if (block.timestamp >= expiresAt) revert DropExpired(dropId, expiresAt);
    }

    function _existingDrop(uint256 dropId) private view returns (Drop storage drop) {
        drop = _drops[dropId];
        if (drop.creator == address(0)) revert UnknownDrop(dropId);
    }

    function _verify(bytes32 root, uint256 dropId, address account, uint256 amount, bytes32[] calldata proof)
        private
        pure
    {
        if (!MerkleProof.verifyCalldata(proof, root, _leaf(account, amount))) {
            revert InvalidProof(dropId, account, amount);
        }
    }

    /// @dev Adds `amount` paid to `count` more accounts, reverting beyond the drop's total or recipients.
    function _charge(Drop storage drop, uint256 dropId, uint256 amount, uint256 count) private {
        uint256 claimed = uint256(drop.claimed) + amount;
        uint256 total = drop.total;
        if (claimed > total) revert ExceedsDropTotal(dropId, claimed, total);
        uint256 claimedCount = uint256(drop.claimedCount) + count;
        uint32 recipients = drop.recipients;
        if (claimedCount > recipients) revert ExceedsRecipients(dropId, recipients);
        drop.claimed = uint96(claimed); // claimed <= total < 2^96
        drop.claimedCount = uint32(claimedCount); // <= recipients
    }

    /// @dev StandardMerkleTree leaf of (address account, uint256 amount):
    ///      keccak256(bytes.concat(keccak256(abi.encode(account, amount)))), in scratch memory.
    function _leaf(address account, uint256 amount) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            mstore(0x00, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, amount)
            mstore(0x00, keccak256(0x00, 0x40))
            leaf := keccak256(0x00, 0x20)
        }
    }
}
