// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SplitLib} from "./libraries/SplitLib.sol";

/// @title TrackRegistry
/// @notice Tracks on the ledger: for each track id, its owner, the digest of its metadata CID, its
///         access rule and its split. The split (who is paid, in parts per million) is fixed forever at
///         registration; the owner may later change the metadata and the access rule, or hand the track
///         to a new owner.
/// @dev Storage is laid out for cheap registration. The owner, registration time, access kind and the
///      number of recipients share one slot. A split of up to `INLINE_RECIPIENTS` recipients is stored
///      inline, one slot per recipient packing `share << 160 | recipient`. A larger split is written once
///      as the code of a tiny data contract ("SSTORE2": 24 bytes per recipient at 200 gas a byte instead
///      of a 22,100-gas slot) whose address takes the first inline slot; its runtime code starts with a
///      STOP byte, so calling it does nothing.
contract TrackRegistry is AccessControl {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The role that may register tracks on behalf of an owner (the node, which pays the gas on
    ///         dev chains).
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice Access kind: anyone may play.
    uint8 public constant ACCESS_FREE = 0;

    /// @notice Access kind: holders of at least `minBalance` of an ERC-20 token.
    uint8 public constant ACCESS_ERC20 = 1;

    /// @notice Access kind: holders of at least `minBalance` tokens of an ERC-721 collection.
    uint8 public constant ACCESS_ERC721 = 2;

    /// @dev Splits of at most this many recipients are stored in slots; larger ones as contract code.
    ///      Break-even: a slot costs 22,100 gas per recipient; the data contract about 54,000 gas (CREATE
    ///      plus the pointer slot) plus about 4,900 gas per recipient.
    uint256 internal constant INLINE_RECIPIENTS = 3;

    /// @dev Bytes per recipient in a split data contract: address (20) then share (4).
    uint256 private constant ENTRY_BYTES = 24;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Who may play a track. `kind`: 0 free (token and minBalance zero), 1 holders of at least
    ///         `minBalance` of the ERC-20 `token`, 2 holders of at least `minBalance` NFTs of the ERC-721
    ///         `token`. The rule is enforced off-chain by the nodes that serve the audio.
    struct AccessRule {
        uint8 kind;
        address token;
        uint256 minBalance;
    }

    /// @dev One track. Slot 0: owner, registeredAt, accessKind, recipientCount. Zero-valued fields
    ///      (free access, unused inline split slots) are never written.
    struct Track {
        address owner;
        uint64 registeredAt;
        uint8 accessKind;
        uint8 recipientCount;
        bytes32 metadataDigest;
        address accessToken;
        uint256 accessMinBalance;
        // Inline split words (`share << 160 | recipient`), or [pointer to the split's data contract, 0, 0].
        uint256[INLINE_RECIPIENTS] split;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice No track is registered under `trackId`.
    error UnknownTrack(bytes32 trackId);

    /// @notice A track is already registered under `trackId`.
    error TrackAlreadyRegistered(bytes32 trackId);

    /// @notice `caller` is not the owner of `trackId`.
    error NotTrackOwner(bytes32 trackId, address caller);

    /// @notice The zero track id is reserved (it means "no track").
    error ZeroTrackId();

    /// @notice An owner or admin is the zero address.
    error ZeroAddress();

    /// @notice The access rule is not one of: free with zero token and minBalance; ERC-20 or ERC-721 with
    ///         a non-zero token and minBalance.
    error InvalidAccessRule(uint8 kind, address token, uint256 minBalance);

    /// @notice Writing a large split's data contract failed.
    error SplitStorageFailed();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A track was registered with its immutable split.
    event TrackRegistered(
        bytes32 indexed trackId,
        address indexed owner,
        bytes32 metadataDigest,
        AccessRule access,
        address[] recipients,
        uint32[] shares
    );

    /// @notice The owner replaced the track's metadata digest.
    event TrackMetadataUpdated(bytes32 indexed trackId, bytes32 metadataDigest);

    /// @notice The owner replaced the track's access rule.
    event TrackAccessUpdated(bytes32 indexed trackId, AccessRule access);

    /// @notice The track changed owner.
    event TrackTransferred(bytes32 indexed trackId, address indexed from, address indexed to);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    mapping(bytes32 trackId => Track) private _tracks;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Grants `DEFAULT_ADMIN_ROLE` (which grants and revokes `REGISTRAR_ROLE`) to `admin`.
    /// @param admin The deployer or treasury multisig; must be non-zero.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a track owned by the caller.
    /// @param trackId The track id; non-zero and not yet registered.
    /// @param metadataDigest The sha2-256 digest inside the CID of the track's metadata.
    /// @param access The access rule (see `AccessRule`).
    /// @param recipients The split's recipients: 1 to 100 strictly ascending non-zero addresses.
    /// @param shares The split's shares in ppm: each > 0, summing to 1,000,000. Immutable once registered.
    function register(
        bytes32 trackId,
        bytes32 metadataDigest,
        AccessRule calldata access,
        address[] calldata recipients,
        uint32[] calldata shares
    ) external {
        _register(msg.sender, trackId, metadataDigest, access, recipients, shares);
    }

    /// @notice Registers a track on behalf of `owner`. Only `REGISTRAR_ROLE`.
    /// @param owner The track's owner; non-zero.
    /// @param trackId The track id; non-zero and not yet registered.
    /// @param metadataDigest The sha2-256 digest inside the CID of the track's metadata.
    /// @param access The access rule (see `AccessRule`).
    /// @param recipients The split's recipients: 1 to 100 strictly ascending non-zero addresses.
    /// @param shares The split's shares in ppm: each > 0, summing to 1,000,000. Immutable once registered.
    function registerFor(
        address owner,
        bytes32 trackId,
        bytes32 metadataDigest,
        AccessRule calldata access,
        address[] calldata recipients,
        uint32[] calldata shares
    ) external onlyRole(REGISTRAR_ROLE) {
        if (owner == address(0)) revert ZeroAddress();
        _register(owner, trackId, metadataDigest, access, recipients, shares);
    }

    /// @notice Replaces the track's metadata digest. Only the track owner.
    /// @param trackId The track.
    /// @param metadataDigest The new digest.
    function updateMetadata(bytes32 trackId, bytes32 metadataDigest) external {
        Track storage track = _ownedTrack(trackId);
        track.metadataDigest = metadataDigest;
        emit TrackMetadataUpdated(trackId, metadataDigest);
    }

    /// @notice Replaces the track's access rule. Only the track owner.
    /// @param trackId The track.
    /// @param access The new access rule (see `AccessRule`).
    function updateAccess(bytes32 trackId, AccessRule calldata access) external {
        Track storage track = _ownedTrack(trackId);
        _requireValidAccess(access);
        track.accessKind = access.kind;
        track.accessToken = access.token;
        track.accessMinBalance = access.minBalance;
        emit TrackAccessUpdated(trackId, access);
    }

    /// @notice Hands the track to `newOwner`. Only the track owner. The split does not change.
    /// @param trackId The track.
    /// @param newOwner The new owner; non-zero.
    function transferTrack(bytes32 trackId, address newOwner) external {
        Track storage track = _ownedTrack(trackId);
        if (newOwner == address(0)) revert ZeroAddress();
        track.owner = newOwner;
        emit TrackTransferred(trackId, msg.sender, newOwner);
    }

    /// @notice A registered track. Reverts with `UnknownTrack` for an unknown id.
    /// @param trackId The track.
    /// @return owner The track's owner.
    /// @return metadataDigest The digest of its metadata CID.
    /// @return access Its access rule.
    /// @return registeredAt The block timestamp of its registration.
    function trackOf(bytes32 trackId)
        external
        view
        returns (address owner, bytes32 metadataDigest, AccessRule memory access, uint64 registeredAt)
    {
        Track storage track = _existingTrack(trackId);
        owner = track.owner;
        metadataDigest = track.metadataDigest;
        access = AccessRule({kind: track.accessKind, token: track.accessToken, minBalance: track.accessMinBalance});
        registeredAt = track.registeredAt;
    }

    /// @notice A registered track's split. Reverts with `UnknownTrack` for an unknown id.
    /// @param trackId The track.
    /// @return recipients The recipients, strictly ascending.
    /// @return shares Their shares in parts per million, summing to 1,000,000.
    function splitOf(bytes32 trackId) external view returns (address[] memory recipients, uint32[] memory shares) {
        Track storage track = _existingTrack(trackId);
        uint256 n = track.recipientCount;
        recipients = new address[](n);
        shares = new uint32[](n);
        if (n <= INLINE_RECIPIENTS) {
            for (uint256 i; i < n; ++i) {
                uint256 word = track.split[i];
                recipients[i] = address(uint160(word));
                shares[i] = uint32(word >> 160);
            }
        } else {
            _readSplitData(address(uint160(track.split[0])), recipients, shares);
        }
    }

    /// @notice Whether a track is registered under `trackId`.
    /// @param trackId The track.
    /// @return True when registered.
    function exists(bytes32 trackId) external view returns (bool) {
        return _tracks[trackId].owner != address(0);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _register(
        address owner,
        bytes32 trackId,
        bytes32 metadataDigest,
        AccessRule calldata access,
        address[] calldata recipients,
        uint32[] calldata shares
    ) private {
        if (trackId == bytes32(0)) revert ZeroTrackId();
        Track storage track = _tracks[trackId];
        if (track.owner != address(0)) revert TrackAlreadyRegistered(trackId);
        _requireValidAccess(access);
        SplitLib.validate(recipients, shares);

        uint256 n = recipients.length;
        // One SSTORE for the packed first slot (n <= 100 fits a uint8).
        track.owner = owner;
        track.registeredAt = uint64(block.timestamp);
        track.accessKind = access.kind;
        track.recipientCount = uint8(n);
        if (metadataDigest != bytes32(0)) track.metadataDigest = metadataDigest;
        if (access.kind != ACCESS_FREE) {
            track.accessToken = access.token;
            track.accessMinBalance = access.minBalance;
        }
        if (n <= INLINE_RECIPIENTS) {
            for (uint256 i; i < n; ++i) {
                track.split[i] = (uint256(shares[i]) << 160) | uint256(uint160(recipients[i]));
            }
        } else {
            track.split[0] = uint256(uint160(_writeSplitData(recipients, shares)));
        }

        emit TrackRegistered(trackId, owner, metadataDigest, access, recipients, shares);
    }

    function _existingTrack(bytes32 trackId) private view returns (Track storage track) {
        track = _tracks[trackId];
        if (track.owner == address(0)) revert UnknownTrack(trackId);
    }

    function _ownedTrack(bytes32 trackId) private view returns (Track storage track) {
        track = _existingTrack(trackId);
        if (track.owner != msg.sender) revert NotTrackOwner(trackId, msg.sender);
    }

    function _requireValidAccess(AccessRule calldata access) private pure {
        bool valid;
        if (access.kind == ACCESS_FREE) {
            valid = access.token == address(0) && access.minBalance == 0;
        } else if (access.kind == ACCESS_ERC20 || access.kind == ACCESS_ERC721) {
            valid = access.token != address(0) && access.minBalance != 0;
        }
        if (!valid) revert InvalidAccessRule(access.kind, access.token, access.minBalance);
    }

    /// @dev Deploys a data contract whose runtime code is STOP followed by, per recipient, the address
    ///      (20 bytes) and the share (4 bytes, big-endian). Init code (11 bytes, then the data):
    ///      `PUSH2 len DUP1 PUSH1 0x0a RETURNDATASIZE CODECOPY RETURNDATASIZE RETURN` `STOP`, which returns
    ///      everything from byte 10 (the STOP) on as the runtime code, `len` = data length + 1.
    function _writeSplitData(address[] calldata recipients, uint32[] calldata shares) private returns (address pointer) {
        uint256 n = recipients.length;
        uint256 dataLength = n * ENTRY_BYTES;
        bytes memory initCode = new bytes(11 + dataLength);
        uint256 header = (uint256(0x61) << 80) | ((dataLength + 1) << 64) | 0x80600a3d393df300;
        assembly ("memory-safe") {
            mstore(add(initCode, 0x20), shl(168, header))
        }
        for (uint256 i; i < n; ++i) {
            uint256 entry = (uint256(uint160(recipients[i])) << 32) | shares[i];
            // Writes 24 entry bytes then 8 zero bytes, overwritten by the next entry (or free memory).
            assembly ("memory-safe") {
                mstore(add(add(initCode, 0x2b), mul(i, 24)), shl(64, entry))
            }
        }
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert SplitStorageFailed();
    }

    /// @dev Fills `recipients` and `shares` (already sized) from a data contract written by
    ///      `_writeSplitData`.
    function _readSplitData(address pointer, address[] memory recipients, uint32[] memory shares) private view {
        uint256 n = recipients.length;
        bytes memory data = new bytes(n * ENTRY_BYTES);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 0x20), 1, mload(data))
        }
        for (uint256 i; i < n; ++i) {
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(add(data, 0x20), mul(i, 24)))
            }
            recipients[i] = address(uint160(word >> 96));
            shares[i] = uint32(word >> 64);
        }
    }
}
