// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistToken (test only)
/// @notice A mintable ERC-20 that reverts any transfer to or from a blocklisted address, like USDC's
///         blocklist. ERC-20 transfers never call the recipient, so this is how a tip recipient "cannot
///         receive". Anyone may mint and (un)block.
contract BlocklistToken is ERC20 {
    /// @notice The token refuses transfers involving `account`.
    error Blocked(address account);

    /// @notice Whether transfers to or from an address revert.
    mapping(address => bool) public blocked;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    /// @notice Mints `amount` to `to`. Anyone may call.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account`.
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @title ReentrantToken (test only)
/// @notice A mintable ERC-20 that, when armed, calls `target` with `data` from inside `transfer` and/or
///         `transferFrom` (before moving any balance) and bubbles the call's revert: a malicious token
///         trying to re-enter the contract that is moving it.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public data;
    bool public onTransfer;
    bool public onTransferFrom;
    /// @notice How many re-entrant calls succeeded.
    uint256 public reentered;

    constructor() ERC20("Reentrant", "RENT") {}

    /// @notice Mints `amount` to `to`. Anyone may call.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: call `target_` with `data_` on the chosen entry points.
    function arm(address target_, bytes calldata data_, bool onTransfer_, bool onTransferFrom_) external {
        (target, data, onTransfer, onTransferFrom) = (target_, data_, onTransfer_, onTransferFrom_);
    }

    /// @notice Approves `spender` for this token's own balance (so a re-entrant `tip` can pull from it).
    function selfApprove(address spender, uint256 amount) external {
        _approve(address(this), spender, amount);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (onTransfer) _reenter();
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (onTransferFrom) _reenter();
        return super.transferFrom(from, to, value);
    }

    function _reenter() private {
        (bool ok, bytes memory returned) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
        ++reentered;
    }
}
