// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title FairToken (FAIR)
/// @notice The Fairstream platform token: rewards, staking, tips and token gates. ERC-20 with EIP-2612
///         permit. The whole supply is minted once, at construction, to the allocations given to the
///         constructor; there is no mint function, so the supply never changes afterwards.
/// @dev The dev faucet allocation exists only on dev chains (`devChain` set at construction); on any
///      other chain it must be left empty, so a public deployment cannot carry a faucet by mistake.
contract FairToken is ERC20, ERC20Permit {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The purpose of an allocation minted at construction.
    enum Role {
        RewardsReserve,
        Treasury,
        DevFaucet
    }

    /// @notice An amount of FAIR (in base units, 18 decimals) minted to a recipient at construction.
    struct Allocation {
        address recipient;
        uint256 amount;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The allocation for `role` names the zero address as its recipient.
    error ZeroAllocationRecipient(Role role);

    /// @notice The allocation for `role` has an amount of zero.
    error ZeroAllocationAmount(Role role);

    /// @notice A dev faucet allocation was given although the token is not deployed for a dev chain.
    error DevFaucetNotAllowed();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted once per allocation at construction, after its `Transfer` from the zero address,
    ///         so the origin of every initial balance is explained on-chain.
    event Allocated(Role indexed role, address indexed recipient, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Recipient of the rewards emission reserve (the RewardsEmitter, or whoever funds it).
    address private immutable _rewardsReserve;

    /// @dev Recipient of the treasury allocation.
    address private immutable _treasury;

    /// @dev Recipient of the dev faucet allocation; the zero address when `_devChain` is false.
    address private immutable _devFaucet;

    /// @dev Whether this token was deployed for a dev chain.
    bool private immutable _devChain;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Mints the fixed supply: the rewards reserve, the treasury and, on a dev chain only, the
    ///         dev faucet. The total supply is the sum of these amounts.
    /// @param rewardsReserve_ Rewards emission reserve; recipient and amount must be non-zero.
    /// @param treasury_ Treasury; recipient and amount must be non-zero.
    /// @param devChain_ True only for a dev chain deployment.
    /// @param devFaucet_ Dev faucet; non-zero recipient and amount when `devChain_`, else both zero.
    constructor(Allocation memory rewardsReserve_, Allocation memory treasury_, bool devChain_, Allocation memory devFaucet_)
        ERC20("Fair", "FAIR")
        ERC20Permit("Fair")
    {
        _requireValid(Role.RewardsReserve, rewardsReserve_);
        _requireValid(Role.Treasury, treasury_);
        if (devChain_) {
            _requireValid(Role.DevFaucet, devFaucet_);
        } else if (devFaucet_.recipient != address(0) || devFaucet_.amount != 0) {
            revert DevFaucetNotAllowed();
        }

        _rewardsReserve = rewardsReserve_.recipient;
        _treasury = treasury_.recipient;
        _devFaucet = devFaucet_.recipient;
        _devChain = devChain_;

        _allocate(Role.RewardsReserve, rewardsReserve_);
        _allocate(Role.Treasury, treasury_);
        if (devChain_) _allocate(Role.DevFaucet, devFaucet_);
    }

    /*//////////////////////////////////////////////////////////////
                                EXTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @notice The address that received the rewards emission reserve at construction.
    /// @return The rewards reserve recipient.
    function rewardsReserve() external view returns (address) {
        return _rewardsReserve;
    }

    /// @notice The address that received the treasury allocation at construction.
    /// @return The treasury recipient.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The address that received the dev faucet allocation at construction.
    /// @return The dev faucet recipient, or the zero address when not deployed for a dev chain.
    function devFaucet() external view returns (address) {
        return _devFaucet;
    }

    /// @notice Whether this token was deployed for a dev chain (and so may carry a dev faucet).
    /// @return True for a dev chain deployment.
    function isDevChain() external view returns (bool) {
        return _devChain;
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _requireValid(Role role, Allocation memory allocation) private pure {
        if (allocation.recipient == address(0)) revert ZeroAllocationRecipient(role);
        if (allocation.amount == 0) revert ZeroAllocationAmount(role);
    }

    function _allocate(Role role, Allocation memory allocation) private {
        _mint(allocation.recipient, allocation.amount);
        emit Allocated(role, allocation.recipient, allocation.amount);
    }
}
