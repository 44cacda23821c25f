// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title TestStablecoin (tUSD)
/// @notice A stand-in for a USDC-like stablecoin: ERC-20 with EIP-2612 permit and 6 decimals, plus a
///         public faucet so anyone can get test money. DEPLOYED ON DEV CHAINS ONLY: it has no value,
///         its supply is unbounded, and public chains configure a real USDC-like token instead.
/// @dev The faucet is capped per call (`FAUCET_MAX_PER_CALL`) and rate-limited per recipient: one drip
///      per recipient every `FAUCET_INTERVAL`. The limit is per recipient, not per caller, so a caller
///      cannot drain it into one wallet by calling from many addresses (it can still fill many wallets;
///      this is a dev token). `mint` is for holders of `MINTER_ROLE`, which the admin also holds at
///      construction, to seed balances beyond the faucet.
contract TestStablecoin is ERC20, ERC20Permit, AccessControl {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role allowed to mint any amount to anyone.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice The most one faucet call may mint: 10,000 tUSD (6 decimals).
    uint256 public constant FAUCET_MAX_PER_CALL = 10_000e6;

    /// @notice The minimum time between two faucet drips to the same recipient.
    uint256 public constant FAUCET_INTERVAL = 1 hours;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The admin given to the constructor is the zero address.
    error ZeroAdmin();

    /// @notice A faucet call asked for zero tokens.
    error FaucetZeroAmount();

    /// @notice A faucet call asked for more than `max`.
    error FaucetAmountTooLarge(uint256 amount, uint256 max);

    /// @notice `recipient` already received a drip recently; the next one is possible at `availableAt`.
    error FaucetRateLimited(address recipient, uint256 availableAt);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted by every faucet drip, after its `Transfer` from the zero address.
    event FaucetDrip(address indexed recipient, address indexed caller, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The earliest timestamp at which `recipient` may receive the next faucet drip (0: now).
    mapping(address recipient => uint256) public nextFaucetAt;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates tUSD with no supply; `admin_` gets `DEFAULT_ADMIN_ROLE` and `MINTER_ROLE`.
    /// @param admin_ The admin and first minter; must be non-zero.
    constructor(address admin_) ERC20("Test USD", "tUSD") ERC20Permit("Test USD") {
        if (admin_ == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin_);
        _grantRole(MINTER_ROLE, admin_);
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice tUSD has 6 decimals, like USDC.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` (at most `FAUCET_MAX_PER_CALL`) to `to`. Anyone may call, for anyone;
    ///         each recipient may receive one drip per `FAUCET_INTERVAL`.
    /// @param to The recipient; must be non-zero.
    /// @param amount The amount in base units (6 decimals), 1 to `FAUCET_MAX_PER_CALL`.
    function faucet(address to, uint256 amount) external {
        if (amount == 0) revert FaucetZeroAmount();
        if (amount > FAUCET_MAX_PER_CALL) revert FaucetAmountTooLarge(amount, FAUCET_MAX_PER_CALL);
        uint256 availableAt = nextFaucetAt[to];
        if (block.timestamp < availableAt) revert FaucetRateLimited(to, availableAt);

        nextFaucetAt[to] = block.timestamp + FAUCET_INTERVAL;
        _mint(to, amount);
        emit FaucetDrip(to, msg.sender, amount);
    }

    /// @notice Mints `amount` to `to` without limits. Only `MINTER_ROLE` (the admin holds it at
    ///         construction).
    /// @param to The recipient; must be non-zero.
    /// @param amount The amount in base units (6 decimals).
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
