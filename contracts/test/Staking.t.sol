// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FairToken} from "../src/FairToken.sol";
import {Staking} from "../src/Staking.sol";
import {TestStablecoin} from "../src/TestStablecoin.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @dev A reward token whose transfers call back into the staking contract, to prove the guard.
contract StakingReentrantToken is ERC20 {
    Staking internal target;

    constructor() ERC20("Reentrant", "RE") {}

    function setTarget(Staking target_) external {
        target = target_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (address(target) != address(0) && from == address(target)) target.claimRewards(address(this));
    }
}

abstract contract StakingBase is Test {
    uint256 internal constant SUPPLY_HALF = 500_000_000e18;
    uint64 internal constant COOLDOWN = 7 days;
    uint256 internal constant MIN_OPERATOR_STAKE = 10_000e18;

    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal notifier = makeAddr("notifier");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    FairToken internal fair;
    TestStablecoin internal usd;
    Staking internal staking;

    function _deploy() internal {
        vm.warp(1_700_000_000);
        fair = new FairToken(
            FairToken.Allocation(makeAddr("rewards"), SUPPLY_HALF),
            FairToken.Allocation(treasury, SUPPLY_HALF),
            false,
            FairToken.Allocation(address(0), 0)
        );
        usd = new TestStablecoin(admin);
        staking = new Staking(IERC20(address(fair)), COOLDOWN, MIN_OPERATOR_STAKE, admin, _one(address(usd)));
    }

    function _one(address token) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = token;
    }

    function _fund(address account, uint256 amount) internal {
        vm.prank(treasury);
        fair.transfer(account, amount);
    }

    function _stake(address account, uint256 amount) internal {
        _fund(account, amount);
        vm.startPrank(account);
        fair.approve(address(staking), amount);
        staking.stake(amount);
        vm.stopPrank();
    }

    function _notify(uint256 amount) internal {
        vm.prank(admin);
        usd.mint(notifier, amount);
        vm.startPrank(notifier);
        usd.approve(address(staking), amount);
        staking.notifyFee(address(usd), amount);
        vm.stopPrank();
    }
}

contract StakingTest is StakingBase {
    function setUp() public {
        _deploy();
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsParameters() public view {
        assertEq(staking.PRECISION(), 1e36);
        assertEq(address(staking.stakingToken()), address(fair));
        assertEq(staking.cooldownSeconds(), COOLDOWN);
        assertEq(staking.minOperatorStake(), MIN_OPERATOR_STAKE);
        assertTrue(staking.hasRole(staking.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(staking.isRewardToken(address(usd)));
        address[] memory tokens = staking.rewardTokens();
        assertEq(tokens.length, 1);
        assertEq(tokens[0], address(usd));
    }

    function test_Constructor_Revert_whenStakingTokenZero() public {
        vm.expectRevert(Staking.ZeroAddress.selector);
        new Staking(IERC20(address(0)), COOLDOWN, MIN_OPERATOR_STAKE, admin, _one(address(usd)));
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(Staking.ZeroAddress.selector);
        new Staking(IERC20(address(fair)), COOLDOWN, MIN_OPERATOR_STAKE, address(0), _one(address(usd)));
    }

    function test_Constructor_Revert_whenMinOperatorStakeZero() public {
        vm.expectRevert(Staking.ZeroMinOperatorStake.selector);
        new Staking(IERC20(address(fair)), COOLDOWN, 0, admin, _one(address(usd)));
    }

    function test_Constructor_Revert_whenRewardTokenZero() public {
        vm.expectRevert(Staking.ZeroAddress.selector);
        new Staking(IERC20(address(fair)), COOLDOWN, MIN_OPERATOR_STAKE, admin, _one(address(0)));
    }

    function test_Constructor_Revert_whenRewardTokenIsStakingToken() public {
        vm.expectRevert(Staking.StakingTokenNotRewardable.selector);
        new Staking(IERC20(address(fair)), COOLDOWN, MIN_OPERATOR_STAKE, admin, _one(address(fair)));
    }

    function test_Constructor_Revert_whenRewardTokenDuplicated() public {
        address[] memory tokens = new address[](2);
        tokens[0] = address(usd);
        tokens[1] = address(usd);
        vm.expectRevert(abi.encodeWithSelector(Staking.RewardTokenAlreadyAdded.selector, address(usd)));
        new Staking(IERC20(address(fair)), COOLDOWN, MIN_OPERATOR_STAKE, admin, tokens);
    }

    /*//////////////////////////////////////////////////////////////
                            ADD REWARD TOKEN
    //////////////////////////////////////////////////////////////*/

    function test_AddRewardToken_AddsAndEmits() public {
        address other = address(new TestStablecoin(admin));
        vm.expectEmit(true, false, false, false);
        emit Staking.RewardTokenAdded(other);
        vm.prank(admin);
        staking.addRewardToken(other);
        assertTrue(staking.isRewardToken(other));
        assertEq(staking.rewardTokens().length, 2);
    }

    function test_AddRewardToken_Revert_whenNotAdmin() public {
        address other = address(new TestStablecoin(admin));
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        staking.addRewardToken(other);
    }

    function test_AddRewardToken_Revert_whenTooMany() public {
        vm.startPrank(admin);
        for (uint256 i = 1; i < staking.MAX_REWARD_TOKENS(); ++i) {
            staking.addRewardToken(address(new TestStablecoin(admin)));
        }
        address extra = address(new TestStablecoin(admin));
        vm.expectRevert(Staking.TooManyRewardTokens.selector);
        staking.addRewardToken(extra);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                  STAKE
    //////////////////////////////////////////////////////////////*/

    function test_Stake_UpdatesBalancesAndEmits() public {
        _fund(alice, 100e18);
        vm.startPrank(alice);
        fair.approve(address(staking), 100e18);
        vm.expectEmit(true, false, false, true);
        emit Staking.Staked(alice, 60e18, 60e18);
        staking.stake(60e18);
        vm.expectEmit(true, false, false, true);
        emit Staking.Staked(alice, 40e18, 100e18);
        staking.stake(40e18);
        vm.stopPrank();

        assertEq(staking.stakeOf(alice), 100e18);
        assertEq(staking.totalStaked(), 100e18);
        assertEq(fair.balanceOf(address(staking)), 100e18);
        assertEq(fair.balanceOf(alice), 0);
    }

    function test_Stake_Revert_whenZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(Staking.ZeroAmount.selector);
        staking.stake(0);
    }

    function test_Stake_Revert_whenNotApproved() public {
        _fund(alice, 1e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(staking), 0, 1e18)
        );
        staking.stake(1e18);
    }

    function test_Stake_Revert_whenFeeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100); // 1%
        Staking s = new Staking(IERC20(address(fot)), COOLDOWN, MIN_OPERATOR_STAKE, admin, _one(address(usd)));
        fot.mint(alice, 100e18);
        vm.startPrank(alice);
        fot.approve(address(s), 100e18);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnsupportedToken.selector, address(fot), 100e18, 99e18));
        s.stake(100e18);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                           STAKE WITH PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_StakeWithPermit_StakesInOneCall() public {
        (address owner, uint256 key) = makeAddrAndKey("permitOwner");
        _fund(owner, 50e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, 50e18, 0, deadline);

        vm.prank(owner);
        staking.stakeWithPermit(50e18, deadline, v, r, s);

        assertEq(staking.stakeOf(owner), 50e18);
        assertEq(fair.nonces(owner), 1);
        assertEq(fair.allowance(owner, address(staking)), 0);
    }

    function test_StakeWithPermit_Succeeds_whenPermitFrontRun() public {
        (address owner, uint256 key) = makeAddrAndKey("permitOwner");
        _fund(owner, 50e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, 50e18, 0, deadline);
        // Someone submits the permit first: the allowance is set, the signature is spent.
        fair.permit(owner, address(staking), 50e18, deadline, v, r, s);

        vm.prank(owner);
        staking.stakeWithPermit(50e18, deadline, v, r, s);
        assertEq(staking.stakeOf(owner), 50e18);
    }

    function test_StakeWithPermit_Revert_whenPermitInvalidAndNoAllowance() public {
        (address owner, uint256 key) = makeAddrAndKey("permitOwner");
        _fund(owner, 50e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(key, owner, 50e18, 0, deadline);
        vm.warp(deadline + 1);

        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(staking), 0, 50e18)
        );
        staking.stakeWithPermit(50e18, deadline, v, r, s);
    }

    function test_StakeWithPermit_Revert_whenZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(Staking.ZeroAmount.selector);
        staking.stakeWithPermit(0, block.timestamp, 0, bytes32(0), bytes32(0));
    }

    /*//////////////////////////////////////////////////////////////
                            REQUEST UNSTAKE
    //////////////////////////////////////////////////////////////*/

    function test_RequestUnstake_MovesStakeToCooling() public {
        _stake(alice, 100e18);
        uint64 unlockAt = uint64(block.timestamp) + COOLDOWN;

        vm.expectEmit(true, false, false, true);
        emit Staking.UnstakeRequested(alice, 30e18, 70e18, 30e18, unlockAt);
        vm.prank(alice);
        staking.requestUnstake(30e18);

        assertEq(staking.stakeOf(alice), 70e18);
        assertEq(staking.totalStaked(), 70e18);
        assertEq(staking.totalCooling(), 30e18);
        (uint256 cooling, uint64 at) = staking.coolingOf(alice);
        assertEq(cooling, 30e18);
        assertEq(at, unlockAt);
        assertEq(fair.balanceOf(address(staking)), 100e18);
    }

    function test_RequestUnstake_RestartsCooldownOfWholeCoolingBalance() public {
        _stake(alice, 100e18);
        vm.prank(alice);
        staking.requestUnstake(30e18);
        vm.warp(block.timestamp + 3 days);
        vm.prank(alice);
        staking.requestUnstake(20e18);

        (uint256 cooling, uint64 at) = staking.coolingOf(alice);
        assertEq(cooling, 50e18);
        assertEq(at, uint64(block.timestamp) + COOLDOWN);
    }

    function test_RequestUnstake_StopsEarning() public {
        _stake(alice, 100e18);
        _stake(bob, 100e18);
        vm.prank(alice);
        staking.requestUnstake(100e18);

        _notify(1_000e6);
        assertEq(staking.earned(alice, address(usd)), 0);
        assertEq(staking.earned(bob, address(usd)), 1_000e6);
    }

    function test_RequestUnstake_KeepsRewardsEarnedBefore() public {
        _stake(alice, 100e18);
        _notify(1_000e6);
        vm.prank(alice);
        staking.requestUnstake(100e18);
        _notify(500e6); // nobody staking: held
        assertEq(staking.earned(alice, address(usd)), 1_000e6);
        assertEq(staking.undistributed(address(usd)), 500e6);
    }

    function test_RequestUnstake_Revert_whenZeroAmount() public {
        _stake(alice, 1e18);
        vm.prank(alice);
        vm.expectRevert(Staking.ZeroAmount.selector);
        staking.requestUnstake(0);
    }

    function test_RequestUnstake_Revert_whenAmountAboveStake() public {
        _stake(alice, 1e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.InsufficientStake.selector, 1e18, 1e18 + 1));
        staking.requestUnstake(1e18 + 1);
    }

    function test_RequestUnstake_Revert_whenOperatorWouldFallBelowMinimum() public {
        _stake(alice, MIN_OPERATOR_STAKE + 5e18);
        vm.startPrank(alice);
        staking.registerOperator("https://node.alice.example");
        staking.requestUnstake(5e18); // down to exactly the minimum: allowed
        vm.expectRevert(abi.encodeWithSelector(Staking.OperatorStakeTooLow.selector, MIN_OPERATOR_STAKE - 1, MIN_OPERATOR_STAKE));
        staking.requestUnstake(1);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function test_Withdraw_SendsCoolingAfterCooldown() public {
        _stake(alice, 100e18);
        vm.prank(alice);
        staking.requestUnstake(40e18);
        vm.warp(block.timestamp + COOLDOWN);

        vm.expectEmit(true, false, false, true);
        emit Staking.Withdrawn(alice, 40e18);
        vm.prank(alice);
        staking.withdraw();

        assertEq(fair.balanceOf(alice), 40e18);
        assertEq(staking.totalCooling(), 0);
        assertEq(staking.stakeOf(alice), 60e18);
        (uint256 cooling, uint64 at) = staking.coolingOf(alice);
        assertEq(cooling, 0);
        assertEq(at, 0);
        assertEq(fair.balanceOf(address(staking)), 60e18);
    }

    function test_Withdraw_Revert_whenNothingCooling() public {
        _stake(alice, 1e18);
        vm.prank(alice);
        vm.expectRevert(Staking.NothingToWithdraw.selector);
        staking.withdraw();
    }

    function test_Withdraw_Revert_whenCooldownNotElapsed() public {
        _stake(alice, 1e18);
        vm.prank(alice);
        staking.requestUnstake(1e18);
        uint64 unlockAt = uint64(block.timestamp) + COOLDOWN;
        vm.warp(unlockAt - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.CooldownNotElapsed.selector, unlockAt));
        staking.withdraw();
    }

    function test_Withdraw_Revert_whenReplayed() public {
        _stake(alice, 1e18);
        vm.prank(alice);
        staking.requestUnstake(1e18);
        vm.warp(block.timestamp + COOLDOWN);
        vm.startPrank(alice);
        staking.withdraw();
        vm.expectRevert(Staking.NothingToWithdraw.selector);
        staking.withdraw();
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                               NOTIFY FEE
    //////////////////////////////////////////////////////////////*/

    function test_NotifyFee_DistributesProRataAndEmits() public {
        _stake(alice, 300e18);
        _stake(bob, 100e18);
        vm.prank(admin);
        usd.mint(notifier, 1_000e6);
        vm.startPrank(notifier);
        usd.approve(address(staking), 1_000e6);
        vm.expectEmit(true, true, false, true);
        // rewardPerToken = 1_000e6 * 1e36 / 400e18 = 2.5e24, exactly.
        emit Staking.FeeNotified(address(usd), notifier, 1_000e6, 1_000e6, 0, 400e18, 2_500_000e18);
        staking.notifyFee(address(usd), 1_000e6);
        vm.stopPrank();

        assertEq(staking.earned(alice, address(usd)), 750e6);
        assertEq(staking.earned(bob, address(usd)), 250e6);
        assertEq(usd.balanceOf(address(staking)), 1_000e6);
        assertEq(staking.totalFeeNotified(address(usd)), 1_000e6);
    }

    function test_NotifyFee_HoldsFee_whenNobodyStakes_andAddsItToNextNotify() public {
        _notify(700e6);
        assertEq(staking.undistributed(address(usd)), 700e6);
        assertEq(staking.rewardPerTokenStored(address(usd)), 0);

        _stake(alice, 1e18);
        assertEq(staking.earned(alice, address(usd)), 0);
        _notify(300e6);
        assertEq(staking.undistributed(address(usd)), 0);
        assertEq(staking.earned(alice, address(usd)), 1_000e6);
    }

    function test_NotifyFee_CarriesRoundingRemainder() public {
        // 3e24 staked: 10e6 * 1e36 / 3e24 = 3,333,333,333,333,333,333.33...: the accumulator rises by the
        // floor and 1e24 (scaled by 1e36: 1e-12 of a base unit) is carried. Nothing whole is held back.
        _stake(alice, 1_000_000e18);
        _stake(bob, 2_000_000e18);
        _notify(10e6);
        assertEq(staking.rewardPerTokenStored(address(usd)), 3_333_333_333_333_333_333);
        assertEq(staking.undistributed(address(usd)), 0);
        // 3.333333(33...) and 6.666666(66...) tUSD, floored: 1 base unit of the stakers' fractions waits
        // in the accumulator (not checkpointed yet).
        assertEq(staking.earned(alice, address(usd)), 3_333_333);
        assertEq(staking.earned(bob, address(usd)), 6_666_666);
        // (2e6 * 1e36 + 1e24 carried) / 3e24 = 666,666,666,666,666,667 exactly: the carry completes the
        // accumulator to 4e18, so the fees split 1:2 to the base unit. Dropping the carry would leave it
        // at 4e18 - 1 and alice at 3,999,999.
        _notify(2e6);
        assertEq(staking.rewardPerTokenStored(address(usd)), 4e18);
        assertEq(staking.undistributed(address(usd)), 0);
        assertEq(staking.earned(alice, address(usd)), 4e6);
        assertEq(staking.earned(bob, address(usd)), 8e6);
    }

    function test_NotifyFee_DistributesBaseUnits_withLargeStake() public {
        // 100M FAIR staked (1e26 units). With a 1e18 scale the accumulator's resolution would be 1e8 base
        // units (100 tUSD), so these fees would all be held back; with 1e36 it is 1e-10 base unit.
        _stake(alice, 75_000_000e18);
        _stake(bob, 25_000_000e18);
        _notify(4); // 4 base units: 3 and 1
        assertEq(staking.rewardPerTokenStored(address(usd)), 4e10);
        assertEq(staking.undistributed(address(usd)), 0);
        assertEq(staking.earned(alice, address(usd)), 3);
        assertEq(staking.earned(bob, address(usd)), 1);

        _notify(99_999_999); // 99.999999 tUSD, just below the old 100 tUSD step
        assertEq(staking.undistributed(address(usd)), 0);
        // 74,999,999.25 + 3 -> 75,000,002 (floored); 24,999,999.75 + 1 -> 25,000,000 (floored).
        assertEq(staking.earned(alice, address(usd)), 75_000_002);
        assertEq(staking.earned(bob, address(usd)), 25_000_000);
        // The base unit held in those fractions is not lost: with 1 more, 75,000,002.25 + 0.75 and
        // 25,000,000.75 + 0.25 are whole, and every fee notified is claimable to the base unit.
        _notify(1);
        assertEq(staking.earned(alice, address(usd)), 75_000_003);
        assertEq(staking.earned(bob, address(usd)), 25_000_001);
        assertEq(staking.totalFeeNotified(address(usd)), 4 + 99_999_999 + 1);
    }

    function test_NotifyFee_DistributesWholeSupplyStake() public {
        // The whole FAIR supply (1e27 units) staked: 1 base unit raises the accumulator by 1e9, still
        // exactly expressible, and is paid out whole.
        vm.prank(makeAddr("rewards"));
        fair.transfer(treasury, SUPPLY_HALF);
        _stake(alice, 2 * SUPPLY_HALF);
        assertEq(staking.totalStaked(), fair.totalSupply());
        _notify(1);
        assertEq(staking.rewardPerTokenStored(address(usd)), 1e9);
        assertEq(staking.undistributed(address(usd)), 0);
        assertEq(staking.earned(alice, address(usd)), 1);
    }

    function test_NotifyFee_NoOverflow_atFeeAndStakeBounds() public {
        // Largest accumulator step for a 1e30 fee: 1 base unit of FAIR staked, rpt = 1e30 * 1e36 = 1e66.
        uint256 fee = 1e30;
        _stake(alice, 1);
        _notify(fee);
        assertEq(staking.rewardPerTokenStored(address(usd)), 1e66);
        assertEq(staking.earned(alice, address(usd)), fee);

        // Then the rest of the supply (1e27 - 1) stakes and another 1e30 is notified: the increment is
        // 1e66 / 1e27 = 1e39, so bob's stakeOf * (rpt - paid) = (1e27 - 1) * 1e39 ~ 1e66, and alice's
        // 1 * (rpt - 0) = 1e66 + 1e39.
        vm.prank(makeAddr("rewards"));
        fair.transfer(treasury, SUPPLY_HALF);
        _stake(bob, 2 * SUPPLY_HALF - 1);
        _notify(fee);
        assertEq(staking.rewardPerTokenStored(address(usd)), 1e66 + 1e39);
        assertEq(staking.undistributed(address(usd)), 0);
        assertEq(staking.earned(alice, address(usd)), fee + 1_000);
        assertEq(staking.earned(bob, address(usd)), fee - 1_000);

        // alice checkpoints (stake change) and both claim: everything is paid, exactly.
        vm.prank(alice);
        staking.requestUnstake(1);
        vm.prank(alice);
        staking.claimRewards(address(usd));
        vm.prank(bob);
        staking.claimRewards(address(usd));
        assertEq(usd.balanceOf(alice), fee + 1_000);
        assertEq(usd.balanceOf(bob), fee - 1_000);
        assertEq(usd.balanceOf(address(staking)), 0);
    }

    function test_NotifyFee_LateStakerEarnsNothingOfEarlierFee() public {
        _stake(alice, 100e18);
        _notify(100e6);
        _stake(bob, 100e18);
        assertEq(staking.earned(bob, address(usd)), 0);
        _notify(100e6);
        assertEq(staking.earned(alice, address(usd)), 150e6);
        assertEq(staking.earned(bob, address(usd)), 50e6);
    }

    function test_NotifyFee_Revert_whenUnknownToken() public {
        address other = address(new TestStablecoin(admin));
        vm.expectRevert(abi.encodeWithSelector(Staking.UnknownRewardToken.selector, other));
        staking.notifyFee(other, 1);
    }

    function test_NotifyFee_Revert_whenStakingToken() public {
        vm.expectRevert(abi.encodeWithSelector(Staking.UnknownRewardToken.selector, address(fair)));
        staking.notifyFee(address(fair), 1);
    }

    function test_NotifyFee_Revert_whenZeroAmount() public {
        vm.expectRevert(Staking.ZeroAmount.selector);
        staking.notifyFee(address(usd), 0);
    }

    function test_NotifyFee_Revert_whenNotApproved() public {
        vm.prank(admin);
        usd.mint(notifier, 1e6);
        vm.prank(notifier);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(staking), 0, 1e6)
        );
        staking.notifyFee(address(usd), 1e6);
    }

    function test_NotifyFee_Revert_whenFeeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(50); // 0.5%
        vm.prank(admin);
        staking.addRewardToken(address(fot));
        _stake(alice, 1e18);
        fot.mint(notifier, 1_000e6);
        vm.startPrank(notifier);
        fot.approve(address(staking), 1_000e6);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnsupportedToken.selector, address(fot), 1_000e6, 995e6));
        staking.notifyFee(address(fot), 1_000e6);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                             CLAIM REWARDS
    //////////////////////////////////////////////////////////////*/

    function test_ClaimRewards_PaysAndResets() public {
        _stake(alice, 100e18);
        _notify(123e6);

        vm.expectEmit(true, true, false, true);
        emit Staking.RewardClaimed(alice, address(usd), 123e6);
        vm.prank(alice);
        staking.claimRewards(address(usd));

        assertEq(usd.balanceOf(alice), 123e6);
        assertEq(staking.earned(alice, address(usd)), 0);
        assertEq(staking.totalRewardsClaimed(address(usd)), 123e6);
        assertEq(usd.balanceOf(address(staking)), 0);
    }

    function test_ClaimRewards_AfterFullUnstakeAndWithdraw() public {
        _stake(alice, 100e18);
        _notify(10e6);
        vm.prank(alice);
        staking.requestUnstake(100e18);
        vm.warp(block.timestamp + COOLDOWN);
        vm.startPrank(alice);
        staking.withdraw();
        staking.claimRewards(address(usd));
        vm.stopPrank();
        assertEq(usd.balanceOf(alice), 10e6);
    }

    function test_ClaimRewards_EachRewardTokenSeparately() public {
        TestStablecoin other = new TestStablecoin(admin);
        vm.prank(admin);
        staking.addRewardToken(address(other));
        _stake(alice, 100e18);
        _notify(10e6);
        vm.startPrank(admin);
        other.mint(admin, 20e6);
        other.approve(address(staking), 20e6);
        staking.notifyFee(address(other), 20e6);
        vm.stopPrank();

        vm.startPrank(alice);
        staking.claimRewards(address(other));
        assertEq(other.balanceOf(alice), 20e6);
        assertEq(staking.earned(alice, address(usd)), 10e6);
        staking.claimRewards(address(usd));
        vm.stopPrank();
        assertEq(usd.balanceOf(alice), 10e6);
    }

    function test_ClaimRewards_Revert_whenUnknownToken() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.UnknownRewardToken.selector, address(fair)));
        staking.claimRewards(address(fair));
    }

    function test_ClaimRewards_Revert_whenNothingToClaim() public {
        _stake(alice, 100e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.NothingToClaim.selector, address(usd)));
        staking.claimRewards(address(usd));
    }

    function test_ClaimRewards_Revert_whenClaimedTwice() public {
        _stake(alice, 100e18);
        _notify(1e6);
        vm.startPrank(alice);
        staking.claimRewards(address(usd));
        vm.expectRevert(abi.encodeWithSelector(Staking.NothingToClaim.selector, address(usd)));
        staking.claimRewards(address(usd));
        vm.stopPrank();
    }

    function test_ClaimRewards_Revert_whenReentered() public {
        StakingReentrantToken re = new StakingReentrantToken();
        vm.prank(admin);
        staking.addRewardToken(address(re));
        _stake(alice, 100e18);
        re.mint(notifier, 1e6);
        vm.startPrank(notifier);
        re.approve(address(staking), 1e6);
        staking.notifyFee(address(re), 1e6);
        vm.stopPrank();
        re.setTarget(staking);

        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        staking.claimRewards(address(re));
    }

    /*//////////////////////////////////////////////////////////////
                               OPERATORS
    //////////////////////////////////////////////////////////////*/

    function test_RegisterOperator_RegistersAndEmits() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.expectEmit(true, false, false, true);
        emit Staking.OperatorRegistered(alice, "https://node.alice.example");
        vm.prank(alice);
        staking.registerOperator("https://node.alice.example");

        assertTrue(staking.isOperator(alice));
        assertEq(staking.operatorCount(), 1);
        assertEq(staking.operatorAt(0), alice);
        Staking.Operator memory op = staking.operatorOf(alice);
        assertEq(op.url, "https://node.alice.example");
        assertEq(op.registeredAt, block.timestamp);
        assertEq(op.updatedAt, block.timestamp);
    }

    function test_RegisterOperator_AcceptsMaxLengthUrl() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.prank(alice);
        staking.registerOperator(_url(256));
        assertEq(bytes(staking.operatorOf(alice).url).length, 256);
    }

    function test_RegisterOperator_Revert_whenStakeTooLow() public {
        _stake(alice, MIN_OPERATOR_STAKE - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.OperatorStakeTooLow.selector, MIN_OPERATOR_STAKE - 1, MIN_OPERATOR_STAKE));
        staking.registerOperator("https://node.alice.example");
    }

    function test_RegisterOperator_Revert_whenOnlyCoolingStake() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.startPrank(alice);
        staking.requestUnstake(1);
        vm.expectRevert(abi.encodeWithSelector(Staking.OperatorStakeTooLow.selector, MIN_OPERATOR_STAKE - 1, MIN_OPERATOR_STAKE));
        staking.registerOperator("https://node.alice.example");
        vm.stopPrank();
    }

    function test_RegisterOperator_Revert_whenAlreadyOperator() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.startPrank(alice);
        staking.registerOperator("https://a.example");
        vm.expectRevert(Staking.AlreadyOperator.selector);
        staking.registerOperator("https://b.example");
        vm.stopPrank();
    }

    function test_RegisterOperator_Revert_whenUrlEmpty() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.InvalidUrl.selector, 0));
        staking.registerOperator("");
    }

    function test_RegisterOperator_Revert_whenUrlTooLong() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        string memory url = _url(257);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Staking.InvalidUrl.selector, 257));
        staking.registerOperator(url);
    }

    function test_UpdateOperator_UpdatesAndEmits() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.prank(alice);
        staking.registerOperator("https://a.example");
        uint256 registeredAt = block.timestamp;
        vm.warp(block.timestamp + 1 days);

        vm.expectEmit(true, false, false, true);
        emit Staking.OperatorUpdated(alice, "https://b.example");
        vm.prank(alice);
        staking.updateOperator("https://b.example");

        Staking.Operator memory op = staking.operatorOf(alice);
        assertEq(op.url, "https://b.example");
        assertEq(op.registeredAt, registeredAt);
        assertEq(op.updatedAt, block.timestamp);
    }

    function test_UpdateOperator_Revert_whenNotOperator() public {
        vm.prank(alice);
        vm.expectRevert(Staking.NotOperator.selector);
        staking.updateOperator("https://a.example");
    }

    function test_UpdateOperator_Revert_whenUrlEmpty() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        vm.startPrank(alice);
        staking.registerOperator("https://a.example");
        vm.expectRevert(abi.encodeWithSelector(Staking.InvalidUrl.selector, 0));
        staking.updateOperator("");
        vm.stopPrank();
    }

    function test_UpdateOperator_Revert_whenUrlTooLong() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        string memory url = _url(300);
        vm.startPrank(alice);
        staking.registerOperator("https://a.example");
        vm.expectRevert(abi.encodeWithSelector(Staking.InvalidUrl.selector, 300));
        staking.updateOperator(url);
        vm.stopPrank();
    }

    function test_DeregisterOperator_RemovesAndAllowsFullUnstake() public {
        _stake(alice, MIN_OPERATOR_STAKE);
        _stake(bob, MIN_OPERATOR_STAKE);
        vm.prank(alice);
        staking.registerOperator("https://a.example");
        vm.prank(bob);
        staking.registerOperator("https://b.example");

        vm.expectEmit(true, false, false, false);
        emit Staking.OperatorDeregistered(alice);
        vm.startPrank(alice);
        staking.deregisterOperator();
        staking.requestUnstake(MIN_OPERATOR_STAKE);
        vm.stopPrank();

        assertFalse(staking.isOperator(alice));
        assertEq(staking.operatorCount(), 1);
        assertEq(staking.operatorAt(0), bob);
        assertEq(bytes(staking.operatorOf(alice).url).length, 0);
    }

    function test_DeregisterOperator_Revert_whenNotOperator() public {
        vm.prank(alice);
        vm.expectRevert(Staking.NotOperator.selector);
        staking.deregisterOperator();
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    /// @notice One notify to up to 4 stakers of any size: what stakers can claim never exceeds the fee,
    ///         the fee minus (claimable + carried) is rounding dust of at most one wei per staker
    ///         (each staker's share floored, and the carry floored: < n + 1, so <= n), nothing whole is
    ///         carried (the 1e36 scale resolves far below a base unit), and each staker gets its exact
    ///         pro rata share floored, or at most one base unit less.
    function testFuzz_NotifyFee_DistributesFeeMinusDustBoundedByStakers(uint256[4] memory stakes, uint256 fee)
        public
    {
        fee = bound(fee, 1, 1e30); // up to 1e24 tUSD: the documented overflow bound
        address[4] memory who = [alice, bob, carol, makeAddr("dave")];
        uint256 n;
        for (uint256 i; i < 4; ++i) {
            stakes[i] = bound(stakes[i], 0, 100_000_000e18);
            if (stakes[i] == 0) continue;
            _stake(who[i], stakes[i]);
            ++n;
        }
        vm.assume(n > 0);

        _notify(fee);

        uint256 sumEarned;
        for (uint256 i; i < 4; ++i) {
            sumEarned += staking.earned(who[i], address(usd));
        }
        uint256 carried = staking.undistributed(address(usd));
        assertLe(sumEarned, fee, "distributed more than notified");
        assertLe(sumEarned + carried, fee, "claimable + carried exceeds the fee");
        assertLe(fee - sumEarned - carried, n, "dust above one wei per staker");
        // carry < totalStaked / 1e36 base units, and totalStaked <= 4e26 here: nothing whole is carried.
        assertEq(carried, 0, "carry above the accumulator resolution");
        uint256 total = staking.totalStaked();
        for (uint256 i; i < 4; ++i) {
            uint256 exact = fee * stakes[i] / total; // the exact pro rata share, floored
            uint256 e = staking.earned(who[i], address(usd));
            assertLe(e, exact, "share above pro rata");
            assertGe(e + 1, exact, "share below pro rata by more than one base unit");
        }

        // Every staker can actually claim what it earned.
        for (uint256 i; i < 4; ++i) {
            uint256 e = staking.earned(who[i], address(usd));
            if (e == 0) continue;
            vm.prank(who[i]);
            staking.claimRewards(address(usd));
            assertEq(usd.balanceOf(who[i]), e);
        }
    }

    /// @notice Two stakers, several notifies with a stake change in between: the shares follow the stake
    ///         held at each notify, and nothing beyond what was notified is ever claimable.
    function testFuzz_NotifyFee_TracksStakeChanges(uint256 a, uint256 b, uint256 fee1, uint256 fee2, uint256 extra)
        public
    {
        a = bound(a, 1, 1_000_000e18);
        b = bound(b, 1, 1_000_000e18);
        extra = bound(extra, 1, 1_000_000e18);
        fee1 = bound(fee1, 1, 1e13);
        fee2 = bound(fee2, 1, 1e13);

        _stake(alice, a);
        _stake(bob, b);
        _notify(fee1);
        _stake(alice, extra);
        _notify(fee2);

        uint256 sumEarned = staking.earned(alice, address(usd)) + staking.earned(bob, address(usd));
        uint256 carried = staking.undistributed(address(usd));
        assertLe(sumEarned + carried, fee1 + fee2);
        // dust: < 1 wei per staker per notify (alice was checkpointed between the two notifies)
        assertLe(fee1 + fee2 - sumEarned - carried, 4);
        assertLe(usd.balanceOf(address(staking)), fee1 + fee2);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _url(uint256 length) internal pure returns (string memory) {
        bytes memory b = new bytes(length);
        for (uint256 i; i < length; ++i) {
            b[i] = "a";
        }
        return string(b);
    }

    function _signPermit(uint256 key, address owner, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(staking), value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", fair.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }
}

contract StakingInvariantTest is StakingBase {
    StakingHandler internal handler;

    function setUp() public {
        _deploy();
        address[] memory actors = new address[](4);
        actors[0] = alice;
        actors[1] = bob;
        actors[2] = carol;
        actors[3] = makeAddr("dave");
        for (uint256 i; i < actors.length; ++i) {
            _fund(actors[i], 1_000_000e18);
        }
        bytes32 minterRole = usd.MINTER_ROLE();
        vm.prank(admin);
        usd.grantRole(minterRole, notifier);

        handler = new StakingHandler(staking, IERC20(address(fair)), usd, notifier, actors);
        targetContract(address(handler));
    }

    /// @notice The FAIR held by the contract is exactly every stake plus every cooling balance.
    function invariant_FairHeldEqualsStakesPlusCooling() public view {
        uint256 stakes;
        uint256 cooling;
        for (uint256 i; i < handler.actorCount(); ++i) {
            address actor = handler.actorAt(i);
            stakes += staking.stakeOf(actor);
            (uint256 c,) = staking.coolingOf(actor);
            cooling += c;
        }
        assertEq(stakes, staking.totalStaked());
        assertEq(cooling, staking.totalCooling());
        assertEq(fair.balanceOf(address(staking)), stakes + cooling);
        assertEq(handler.ghostStaked() - handler.ghostWithdrawn(), stakes + cooling);
    }

    /// @notice Never more rewards claimed than fees notified, and the contract always holds enough to pay
    ///         every claimable reward plus the carried fees.
    function invariant_ClaimedNeverExceedsNotifiedAndSolvent() public view {
        assertLe(handler.ghostClaimed(), handler.ghostNotified());
        assertEq(staking.totalFeeNotified(address(usd)), handler.ghostNotified());
        assertEq(staking.totalRewardsClaimed(address(usd)), handler.ghostClaimed());

        uint256 owed = staking.undistributed(address(usd));
        for (uint256 i; i < handler.actorCount(); ++i) {
            owed += staking.earned(handler.actorAt(i), address(usd));
        }
        uint256 held = usd.balanceOf(address(staking));
        assertEq(held, handler.ghostNotified() - handler.ghostClaimed());
        assertLe(owed, held);
    }

    /// @notice Nothing notified is lost beyond rounding: the fees neither claimed nor owed (claimable or
    ///         carried) are below one base unit per flooring (each checkpoint or claim, each actor's
    ///         pending fraction, and the carry), so at most `ghostRoundings + actorCount`.
    function invariant_NothingLostBeyondRoundingDust() public view {
        uint256 owed = staking.undistributed(address(usd));
        for (uint256 i; i < handler.actorCount(); ++i) {
            owed += staking.earned(handler.actorAt(i), address(usd));
        }
        uint256 unpaid = handler.ghostNotified() - handler.ghostClaimed();
        assertLe(owed, unpaid);
        assertLe(unpaid - owed, handler.ghostRoundings() + handler.actorCount(), "fees lost beyond rounding");
    }
}
