// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @title Staking
/// @notice Stake FAIR, earn the platform fee pro rata, and (with a minimum stake) register as an
///         operator of the future node network.
///
///         Staking: `stake` moves FAIR in and it earns at once. `requestUnstake` moves part of the stake
///         into a cooling balance that earns nothing; `withdraw` returns the whole cooling balance once
///         `cooldownSeconds` have passed since the latest request (a new request restarts the cooldown
///         of the whole cooling balance).
///
///         Fees: `notifyFee(token, amount)` pulls `amount` of a reward token (the platform fee, in the
///         stablecoin) from the caller and distributes it at once to the current stakers, pro rata to
///         their stake, through a reward-per-token accumulator (Synthetix StakingRewards style, scaled
///         by `PRECISION` = 1e36, one accumulator per reward token). Stakers pull their rewards with
///         `claimRewards`.
/// @dev Rounding and undistributed fees. A notified fee is never lost:
///      - when nobody stakes, the whole fee is held as undistributed (`undistributed(token)`) and added
///        to the next notify of that token;
///      - otherwise the accumulator rises by floor((fee * 1e36 + carried) / totalStaked) and the part
///        this floor could not express is carried, exactly (kept scaled by 1e36), to the next notify.
///      So, scaled by 1e36, sum over notifies of (accumulator increase * totalStaked at that notify) +
///      carried == every fee notified * 1e36, exactly. Each staker's `earned` is floored to the base unit
///      when it is checkpointed, so the sum of what stakers can claim is below its exact share by less
///      than one base unit per staker per checkpoint; that dust stays in the contract unassigned. Hence
///      total claimable + claimed + carried <= total notified: the contract is always solvent. (Carrying
///      the remainder rounded to the base unit instead would not be: floors of sums exceed sums of
///      floors, and stakers could claim a base unit more than was distributed.)
///      With 1e36 scaling the carried remainder is below totalStaked / 1e36 base units of the reward
///      token: even with the whole FAIR supply (1e9 FAIR = 1e27 units) staked, below 1e-9 of a base
///      unit. So whenever anyone stakes, every notify is distributed down to that sub-unit remainder
///      (`undistributed` reads 0), and the remainder is still carried exactly, so it is never lost.
///      (With 1e18 scaling the carry could reach totalStaked / 1e18 base units: 100 tUSD with 100M FAIR
///      staked, held back until a later notify.)
///
///      Overflow bounds (checked arithmetic reverts rather than wraps, but must never be reached):
///      - `amount * PRECISION` in `notifyFee`: below 2^256 ~ 1.16e77 for any amount below 1.16e41 base
///        units; a fee of 1e30 base units (1e24 tUSD) gives 1e66. The carried remainder added to it is
///        below totalStaked (or, with nobody staking, the held fees, also scaled by 1e36).
///      - the accumulator and `stakeOf * (rpt - paid)` in `_checkpoint`/`_earned`: between two
///        checkpoints an account's stake is constant and part of totalStaked at every notify, so
///        stakeOf * (rpt - paid) <= the sum over those notifies of increment * totalStaked <= 1e36 *
///        (the fees of that token notified meanwhile, plus what was held before them). Likewise the
///        accumulator itself is at most 1e36 * every fee of that token ever notified (totalStaked >= 1).
///        Both stay below 2^256 until a single reward token has been notified more than 1.16e41 base
///        units in total: e.g. 1e30-unit fees (each product at most 1e66, as with 1 base unit of FAIR
///        staked against a 1e30 fee, or the whole 1e27-unit FAIR supply staked against rpt - paid of
///        1e39) can be notified over 1e11 times. This holds for any stake size, whatever FAIR's supply.
///
///      Instant distribution means a staker present at the notify earns it even if they staked just
///      before (they then pay the unstaking cooldown to leave); the settlement operator should notify
///      often and in small amounts, which keeps such timing worthless.
///
///      Reward tokens are a short allow-list kept by the admin (at most `MAX_REWARD_TOKENS`), because
///      every stake change checkpoints every reward token: an open list would let anyone make staking
///      arbitrarily expensive. The staked token can never be a reward token, so the FAIR held by this
///      contract is exactly the sum of all stakes and cooling balances. Only standard ERC-20s: every
///      incoming transfer is measured and a fee-on-transfer token reverts with `UnsupportedToken`.
contract Staking is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using EnumerableSet for EnumerableSet.AddressSet;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Stake leaving the contract: it earns nothing and can be withdrawn at `unlockAt`.
    struct Cooling {
        uint192 amount;
        uint64 unlockAt;
    }

    /// @notice A registered operator's endpoint.
    struct Operator {
        string url;
        uint64 registeredAt;
        uint64 updatedAt;
    }

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Scale of the reward-per-token accumulators: 1e36, so the accumulator's resolution,
    ///         totalStaked / 1e36 base units of the reward token, stays far below one base unit for any
    ///         stake up to the whole FAIR supply (1e27 units). See the contract notes for the overflow
    ///         bounds: fees up to 1e30 base units and any stake are safe.
    uint256 public constant PRECISION = 1e36;

    /// @notice The most reward tokens the contract may ever have.
    uint256 public constant MAX_REWARD_TOKENS = 8;

    /// @notice The longest operator URL, in bytes.
    uint256 public constant MAX_URL_LENGTH = 256;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A constructor address (staking token or admin) is the zero address.
    error ZeroAddress();

    /// @notice The minimum operator stake given to the constructor is zero.
    error ZeroMinOperatorStake();

    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();

    /// @notice The token moved in less than asked (a fee-on-transfer or otherwise non-standard token).
    error UnsupportedToken(address token, uint256 expected, uint256 received);

    /// @notice `token` is not one of the reward tokens.
    error UnknownRewardToken(address token);

    /// @notice `token` is already a reward token.
    error RewardTokenAlreadyAdded(address token);

    /// @notice The staked token cannot also be a reward token.
    error StakingTokenNotRewardable();

    /// @notice The reward-token list is full (`MAX_REWARD_TOKENS`).
    error TooManyRewardTokens();

    /// @notice Asked to unstake `requested` but only `staked` is staked.
    error InsufficientStake(uint256 staked, uint256 requested);

    /// @notice The account has no cooling balance to withdraw.
    error NothingToWithdraw();

    /// @notice The cooling balance unlocks at `unlockAt`, which is still in the future.
    error CooldownNotElapsed(uint64 unlockAt);

    /// @notice The account has no rewards of `token` to claim.
    error NothingToClaim(address token);

    /// @notice The operator would hold `stake`, below the minimum operator stake `minimum`.
    error OperatorStakeTooLow(uint256 stake, uint256 minimum);

    /// @notice The account is already a registered operator.
    error AlreadyOperator();

    /// @notice The account is not a registered operator.
    error NotOperator();

    /// @notice The URL is empty or longer than `MAX_URL_LENGTH` bytes (`length` is its length).
    error InvalidUrl(uint256 length);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `account` staked `amount`; its stake is now `stake`.
    event Staked(address indexed account, uint256 amount, uint256 stake);

    /// @notice `account` moved `amount` from its stake (now `stake`) to its cooling balance (now
    ///         `cooling`), withdrawable at `unlockAt`.
    event UnstakeRequested(address indexed account, uint256 amount, uint256 stake, uint256 cooling, uint64 unlockAt);

    /// @notice `account` withdrew its cooling balance of `amount`.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice `from` paid a fee of `amount` in `token`. Together with what was carried from before,
    ///         `distributed` went to the stakers (pro rata to `totalStaked`) and `undistributed` is
    ///         carried to the next notify (both rounded down to the base unit: the carry is kept exactly,
    ///         scaled by `PRECISION` = 1e36, and is below one base unit whenever anyone stakes);
    ///         `rewardPerToken` is the accumulator afterwards (scaled by 1e36).
    event FeeNotified(
        address indexed token,
        address indexed from,
        uint256 amount,
        uint256 distributed,
        uint256 undistributed,
        uint256 totalStaked,
        uint256 rewardPerToken
    );

    /// @notice `account` claimed `amount` of `token`.
    event RewardClaimed(address indexed account, address indexed token, uint256 amount);

    /// @notice `token` became a reward token.
    event RewardTokenAdded(address indexed token);

    /// @notice `operator` registered with endpoint `url`.
    event OperatorRegistered(address indexed operator, string url);

    /// @notice `operator` changed its endpoint to `url`.
    event OperatorUpdated(address indexed operator, string url);

    /// @notice `operator` deregistered.
    event OperatorDeregistered(address indexed operator);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The staked token (FAIR).
    IERC20 public immutable stakingToken;

    /// @notice Time between the latest `requestUnstake` and the earliest `withdraw`.
    uint64 public immutable cooldownSeconds;

    /// @notice The stake an account must hold to register, and keep while registered, as an operator.
    uint256 public immutable minOperatorStake;

    /// @notice Sum of every account's stake (cooling balances excluded).
    uint256 public totalStaked;

    /// @notice Sum of every account's cooling balance.
    uint256 public totalCooling;

    /// @notice The stake of each account.
    mapping(address account => uint256) public stakeOf;

    mapping(address account => Cooling) private _cooling;

    address[] private _rewardTokens;

    /// @notice Whether `token` is a reward token.
    mapping(address token => bool) public isRewardToken;

    /// @notice Reward per staked unit accumulated for `token`, scaled by `PRECISION`.
    mapping(address token => uint256) public rewardPerTokenStored;

    /// @dev Notified fees of `token` not distributed yet (no stakers, or rounding), scaled by PRECISION.
    mapping(address token => uint256) private _undistributedScaled;

    /// @notice Total fees of `token` ever notified.
    mapping(address token => uint256) public totalFeeNotified;

    /// @notice Total rewards of `token` ever claimed.
    mapping(address token => uint256) public totalRewardsClaimed;

    mapping(address account => mapping(address token => uint256)) private _rewardPerTokenPaid;
    mapping(address account => mapping(address token => uint256)) private _rewards;

    EnumerableSet.AddressSet private _operatorSet;
    mapping(address operator => Operator) private _operators;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates the staking contract.
    /// @param stakingToken_ The staked token (FAIR); non-zero.
    /// @param cooldownSeconds_ The unstaking cooldown in seconds (may be zero on dev chains).
    /// @param minOperatorStake_ The minimum stake of a registered operator; non-zero.
    /// @param admin_ Holder of `DEFAULT_ADMIN_ROLE` (may add reward tokens); non-zero.
    /// @param rewardTokens_ The initial reward tokens (the stablecoin), at most `MAX_REWARD_TOKENS`.
    constructor(
        IERC20 stakingToken_,
        uint64 cooldownSeconds_,
        uint256 minOperatorStake_,
        address admin_,
        address[] memory rewardTokens_
    ) {
        if (address(stakingToken_) == address(0) || admin_ == address(0)) revert ZeroAddress();
        if (minOperatorStake_ == 0) revert ZeroMinOperatorStake();
        stakingToken = stakingToken_;
        cooldownSeconds = cooldownSeconds_;
        minOperatorStake = minOperatorStake_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin_);
        for (uint256 i; i < rewardTokens_.length; ++i) {
            _addRewardToken(rewardTokens_[i]);
        }
    }

    /*//////////////////////////////////////////////////////////////
                             EXTERNAL: STAKING
    //////////////////////////////////////////////////////////////*/

    /// @notice Stakes `amount` FAIR from the caller (who must have approved it); it earns from now on.
    /// @param amount The amount in base units; non-zero.
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @notice Like `stake`, with an EIP-2612 permit for this contract signed by the caller, so one
    ///         transaction suffices. A permit that fails (e.g. already used by a front-runner) is
    ///         ignored when the allowance is already sufficient.
    /// @param amount The amount in base units; non-zero.
    /// @param deadline The permit deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(stakingToken)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(amount);
    }

    /// @notice Moves `amount` of the caller's stake into its cooling balance: it stops earning at once
    ///         and can be withdrawn `cooldownSeconds` from now. Restarts the cooldown of the whole
    ///         cooling balance. A registered operator must keep at least `minOperatorStake` staked.
    /// @param amount The amount in base units; non-zero and at most the caller's stake.
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 staked = stakeOf[msg.sender];
        if (amount > staked) revert InsufficientStake(staked, amount);
        uint256 remaining = staked - amount;
        if (_operatorSet.contains(msg.sender) && remaining < minOperatorStake) {
            revert OperatorStakeTooLow(remaining, minOperatorStake);
        }

        _checkpoint(msg.sender);
        stakeOf[msg.sender] = remaining;
        totalStaked -= amount;
        Cooling storage c = _cooling[msg.sender];
        uint256 cooling = c.amount + amount;
        uint64 unlockAt = uint64(block.timestamp) + cooldownSeconds;
        c.amount = uint192(cooling); // cooling <= FAIR total supply, far below 2^192
        c.unlockAt = unlockAt;
        totalCooling += amount;

        emit UnstakeRequested(msg.sender, amount, remaining, cooling, unlockAt);
    }

    /// @notice Sends the caller its whole cooling balance, once its cooldown has elapsed.
    function withdraw() external nonReentrant {
        Cooling memory c = _cooling[msg.sender];
        if (c.amount == 0) revert NothingToWithdraw();
        if (block.timestamp < c.unlockAt) revert CooldownNotElapsed(c.unlockAt);

        delete _cooling[msg.sender];
        totalCooling -= c.amount;

        emit Withdrawn(msg.sender, c.amount);
        stakingToken.safeTransfer(msg.sender, c.amount);
    }

    /// @notice The cooling balance of `account` and when it unlocks.
    /// @param account The staker.
    /// @return amount The cooling balance (earns nothing).
    /// @return unlockAt The earliest `withdraw` time (0 when nothing is cooling).
    function coolingOf(address account) external view returns (uint256 amount, uint64 unlockAt) {
        Cooling memory c = _cooling[account];
        return (c.amount, c.unlockAt);
    }

    /*//////////////////////////////////////////////////////////////
                             EXTERNAL: REWARDS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pulls `amount` of reward token `token` from the caller (anyone: normally the settlement
    ///         operator) and distributes it, with any undistributed remainder, to the current stakers
    ///         pro rata. With no stakers the whole amount is kept in `undistributed[token]` for the next
    ///         notify. See the contract notes on rounding.
    /// @param token A reward token.
    /// @param amount The fee in base units of `token`; non-zero; the caller must have approved it.
    function notifyFee(address token, uint256 amount) external nonReentrant {
        if (!isRewardToken[token]) revert UnknownRewardToken(token);
        if (amount == 0) revert ZeroAmount();

        uint256 total = totalStaked;
        // Everything here is scaled by PRECISION, so the remainder carried is exact. No overflow: see the
        // contract notes (amount * 1e36 < 2^256 for amount < 1.16e41 base units).
        uint256 distributable = _undistributedScaled[token] + amount * PRECISION;
        uint256 rpt = rewardPerTokenStored[token];
        uint256 remainder = distributable;
        if (total != 0) {
            uint256 increment = distributable / total;
            rpt += increment;
            rewardPerTokenStored[token] = rpt;
            remainder = distributable - increment * total;
        }
        _undistributedScaled[token] = remainder;
        totalFeeNotified[token] += amount;

        emit FeeNotified(
            token, msg.sender, amount, (distributable - remainder) / PRECISION, remainder / PRECISION, total, rpt
        );
        _pullExact(IERC20(token), amount);
    }

    /// @notice Sends the caller everything it has earned in `token` (pull; rewards are never pushed).
    /// @param token A reward token.
    function claimRewards(address token) external nonReentrant {
        if (!isRewardToken[token]) revert UnknownRewardToken(token);
        uint256 reward = _earned(msg.sender, token);
        if (reward == 0) revert NothingToClaim(token);

        _rewardPerTokenPaid[msg.sender][token] = rewardPerTokenStored[token];
        _rewards[msg.sender][token] = 0;
        totalRewardsClaimed[token] += reward;

        emit RewardClaimed(msg.sender, token, reward);
        IERC20(token).safeTransfer(msg.sender, reward);
    }

    /// @notice Notified fees of `token` not distributed yet (nobody staked, or the accumulator could not
    ///         express them), rounded down to the base unit; added to the next notify of `token`.
    /// @param token A reward token.
    /// @return The amount in base units of `token`.
    function undistributed(address token) external view returns (uint256) {
        return _undistributedScaled[token] / PRECISION;
    }

    /// @notice What `account` has earned in `token` and not claimed yet.
    /// @param account The staker.
    /// @param token A reward token (0 for any other token).
    /// @return The claimable amount in base units of `token`.
    function earned(address account, address token) external view returns (uint256) {
        return _earned(account, token);
    }

    /// @notice Adds a reward token. Only `DEFAULT_ADMIN_ROLE`; tokens are never removed.
    /// @param token A standard ERC-20, not the staking token, not already a reward token.
    function addRewardToken(address token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addRewardToken(token);
    }

    /// @notice The reward tokens, in the order they were added.
    /// @return The reward token addresses.
    function rewardTokens() external view returns (address[] memory) {
        return _rewardTokens;
    }

    /*//////////////////////////////////////////////////////////////
                            EXTERNAL: OPERATORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers the caller as a node operator reachable at `url`. Requires a stake of at least
    ///         `minOperatorStake`, which must then be kept while registered.
    /// @param url The endpoint, 1 to `MAX_URL_LENGTH` bytes (not otherwise validated on-chain).
    function registerOperator(string calldata url) external {
        if (_operatorSet.contains(msg.sender)) revert AlreadyOperator();
        uint256 staked = stakeOf[msg.sender];
        if (staked < minOperatorStake) revert OperatorStakeTooLow(staked, minOperatorStake);
        _requireValidUrl(url);

        _operatorSet.add(msg.sender);
        _operators[msg.sender] = Operator({url: url, registeredAt: uint64(block.timestamp), updatedAt: uint64(block.timestamp)});
        emit OperatorRegistered(msg.sender, url);
    }

    /// @notice Changes the caller's operator endpoint.
    /// @param url The new endpoint, 1 to `MAX_URL_LENGTH` bytes.
    function updateOperator(string calldata url) external {
        if (!_operatorSet.contains(msg.sender)) revert NotOperator();
        _requireValidUrl(url);

        Operator storage op = _operators[msg.sender];
        op.url = url;
        op.updatedAt = uint64(block.timestamp);
        emit OperatorUpdated(msg.sender, url);
    }

    /// @notice Deregisters the caller as an operator; its stake is untouched and may then be unstaked.
    function deregisterOperator() external {
        if (!_operatorSet.contains(msg.sender)) revert NotOperator();

        _operatorSet.remove(msg.sender);
        delete _operators[msg.sender];
        emit OperatorDeregistered(msg.sender);
    }

    /// @notice Whether `account` is a registered operator.
    /// @param account The account.
    /// @return True when registered.
    function isOperator(address account) external view returns (bool) {
        return _operatorSet.contains(account);
    }

    /// @notice The registration of `operator` (all zero/empty when not registered).
    /// @param operator The operator.
    /// @return The operator's url, registration and last update times.
    function operatorOf(address operator) external view returns (Operator memory) {
        return _operators[operator];
    }

    /// @notice The number of registered operators.
    /// @return The count.
    function operatorCount() external view returns (uint256) {
        return _operatorSet.length();
    }

    /// @notice The registered operator at `index` (order changes when operators deregister).
    /// @param index Below `operatorCount()`.
    /// @return The operator's address.
    function operatorAt(uint256 index) external view returns (address) {
        return _operatorSet.at(index);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _stake(uint256 amount) private {
        if (amount == 0) revert ZeroAmount();

        _checkpoint(msg.sender);
        uint256 staked = stakeOf[msg.sender] + amount;
        stakeOf[msg.sender] = staked;
        totalStaked += amount;

        emit Staked(msg.sender, amount, staked);
        _pullExact(stakingToken, amount);
    }

    /// @dev Pulls exactly `amount` of `token` from the caller; reverts with `UnsupportedToken` when the
    ///      balance rose by less. Called last (effects first); a revert undoes the effects.
    function _pullExact(IERC20 token, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received < amount) revert UnsupportedToken(address(token), amount, received);
    }

    /// @dev Credits `account` everything earned on its current stake, for every reward token, so that
    ///      its stake can then change.
    function _checkpoint(address account) private {
        uint256 n = _rewardTokens.length;
        for (uint256 i; i < n; ++i) {
            address token = _rewardTokens[i];
            uint256 rpt = rewardPerTokenStored[token];
            uint256 paid = _rewardPerTokenPaid[account][token];
            if (rpt == paid) continue;
            _rewards[account][token] += stakeOf[account] * (rpt - paid) / PRECISION;
            _rewardPerTokenPaid[account][token] = rpt;
        }
    }

    function _earned(address account, address token) private view returns (uint256) {
        return _rewards[account][token]
            + stakeOf[account] * (rewardPerTokenStored[token] - _rewardPerTokenPaid[account][token]) / PRECISION;
    }

    function _addRewardToken(address token) private {
        if (token == address(0)) revert ZeroAddress();
        if (token == address(stakingToken)) revert StakingTokenNotRewardable();
        if (isRewardToken[token]) revert RewardTokenAlreadyAdded(token);
        if (_rewardTokens.length == MAX_REWARD_TOKENS) revert TooManyRewardTokens();
        isRewardToken[token] = true;
        _rewardTokens.push(token);
        emit RewardTokenAdded(token);
    }

    function _requireValidUrl(string calldata url) private pure {
        uint256 length = bytes(url).length;
        if (length == 0 || length > MAX_URL_LENGTH) revert InvalidUrl(length);
    }
}
