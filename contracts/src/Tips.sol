// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SplitLib} from "./libraries/SplitLib.sol";
import {TrackRegistry} from "./TrackRegistry.sol";

/// @title Tips
/// @notice A tip to a track is split at once among the track's recipients, by the split fixed in the
///         `TrackRegistry`. A recipient that cannot receive (its transfer fails, e.g. a token that
///         blocklists it) is credited a pull balance instead, withdrawable later; the tip never fails
///         because of one recipient.
/// @dev Any standard ERC-20 may be tipped; there is no allowlist and no admin. Each token's accounting is
///      separate (`owed[account][token]`) and every pull is checked against the balance delta, so a
///      broken or malicious token can only affect its own tips. Tokens that take a fee on transfer (or
///      deliver anything but the exact amount) are rejected with `UnsupportedToken`. The contract holds
///      tokens only as owed balances: between transactions its balance of each token equals the sum of
///      what it owes in that token (plus anything sent to it directly, which is not recoverable).
///      Rounding: `SplitLib.allocate` (floor per recipient, the remainder to the first recipient).
contract Tips is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The tip amount is zero.
    error ZeroAmount();

    /// @notice `token` did not deliver exactly the amount asked (e.g. a fee-on-transfer token).
    error UnsupportedToken(address token);

    /// @notice No track is registered under `trackId` (same selector as `TrackRegistry.UnknownTrack`,
    ///         which is what the registry reverts with).
    error UnknownTrack(bytes32 trackId);

    /// @notice The caller is owed nothing in `token`.
    error NothingOwed(address token);

    /// @notice An address given at construction or as a destination is the zero address.
    error ZeroAddress();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `from` tipped `amount` of `token` to `trackId`.
    event Tipped(bytes32 indexed trackId, address indexed from, address indexed token, uint256 amount);

    /// @notice `recipient` was paid its `amount` of a tip to `trackId`.
    event TipPaid(bytes32 indexed trackId, address indexed recipient, address token, uint256 amount);

    /// @notice Paying `recipient` its `amount` of a tip to `trackId` failed; it is owed instead.
    event TipOwed(bytes32 indexed trackId, address indexed recipient, address token, uint256 amount);

    /// @notice `account` withdrew its owed `amount` of `token` to `to`.
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The registry that holds every track's split.
    TrackRegistry public immutable registry;

    /// @notice Tip amounts that could not be pushed, by recipient and token: withdrawable by the recipient.
    mapping(address account => mapping(address token => uint256)) public owed;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Binds the tips to a track registry.
    /// @param registry_ The `TrackRegistry`; non-zero.
    constructor(TrackRegistry registry_) {
        if (address(registry_) == address(0)) revert ZeroAddress();
        registry = registry_;
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice Tips `amount` of `token` to `trackId`: pulls it from the caller (who approved this contract)
    ///         and splits it at once among the track's recipients.
    /// @param trackId A registered track.
    /// @param token A standard ERC-20 (no fee on transfer).
    /// @param amount The tip in token base units; non-zero.
    function tip(bytes32 trackId, address token, uint256 amount) external nonReentrant {
        _tip(trackId, token, amount);
    }

    /// @notice Like `tip`, approving this contract first with an ERC-2612 permit signed by the caller for
    ///         exactly `amount`. A permit that fails (e.g. already submitted by someone else) is ignored: the
    ///         tip then goes ahead if the allowance suffices.
    /// @param trackId A registered track.
    /// @param token A standard ERC-20 with ERC-2612 permit (e.g. FAIR, the test stablecoin).
    /// @param amount The tip in token base units; non-zero.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function tipWithPermit(
        bytes32 trackId,
        address token,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        // A front-run permit must not block the tip: the allowance is what matters.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _tip(trackId, token, amount);
    }

    /// @notice Sends the caller everything it is owed in `token`.
    /// @param token The token.
    /// @return amount The amount sent.
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        return _withdraw(token, msg.sender);
    }

    /// @notice Sends everything the caller is owed in `token` to `to` (e.g. when the token refuses
    ///         transfers to the caller itself).
    /// @param token The token.
    /// @param to The destination; non-zero.
    /// @return amount The amount sent.
    function withdrawTo(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        return _withdraw(token, to);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _tip(bytes32 trackId, address token, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        (address[] memory recipients, uint32[] memory shares) = registry.splitOf(trackId);
        // The registry reverts for an unknown track; this only guards against an empty answer.
        if (recipients.length == 0) revert UnknownTrack(trackId);

        IERC20 erc20 = IERC20(token);
        uint256 balanceBefore = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = erc20.balanceOf(address(this));
        if (balanceAfter < balanceBefore || balanceAfter - balanceBefore != amount) revert UnsupportedToken(token);
        emit Tipped(trackId, msg.sender, token, amount);

        uint256[] memory parts = SplitLib.allocate(amount, shares);
        for (uint256 i; i < recipients.length; ++i) {
            uint256 part = parts[i];
            if (part == 0) continue; // tiny tips: nothing to send (some tokens reject zero transfers)
            address recipient = recipients[i];
            if (erc20.trySafeTransfer(recipient, part)) {
                emit TipPaid(trackId, recipient, token, part);
            } else {
                owed[recipient][token] += part;
                emit TipOwed(trackId, recipient, token, part);
            }
        }
    }

    function _withdraw(address token, address to) private returns (uint256 amount) {
        amount = owed[msg.sender][token];
        if (amount == 0) revert NothingOwed(token);
        owed[msg.sender][token] = 0;
        emit Withdrawn(msg.sender, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }
}
