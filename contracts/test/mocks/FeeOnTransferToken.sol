// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken (test only)
/// @notice An ERC-20 that burns `feeBps` basis points of every transfer between two accounts, so the
///         recipient receives less than the amount sent. Used to check that contracts reject such tokens
///         with `UnsupportedToken`. Anyone may mint.
contract FeeOnTransferToken is ERC20 {
    /// @notice The fee burned on each transfer, in basis points (1/10,000).
    uint256 public immutable feeBps;

    /// @param feeBps_ The fee in basis points, at most 10,000.
    constructor(uint256 feeBps_) ERC20("Fee On Transfer", "FOT") {
        require(feeBps_ <= 10_000, "fee > 100%");
        feeBps = feeBps_;
    }

    /// @notice Mints `amount` to `to`, fee-free. Anyone may call.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || feeBps == 0) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value * feeBps / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
