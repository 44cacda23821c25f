// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {FairToken} from "../src/FairToken.sol";
import {Promotions} from "../src/Promotions.sol";
import {TrackRegistry} from "../src/TrackRegistry.sol";
import {SplitFixtures} from "./SplitLib.t.sol";
import {PromotionsHandler} from "./handlers/PromotionsHandler.sol";

abstract contract PromotionsFixture is SplitFixtures {
    bytes32 internal constant TRACK = keccak256("track-1");
    bytes32 internal constant OTHER_TRACK = keccak256("track-2");
    bytes32 internal constant DIGEST = keccak256("metadata-1");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint256 internal constant PRICE = 10e18;
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;

    address internal admin = makeAddr("admin");
    address internal faucet = makeAddr("faucet");
    address internal artist;
    uint256 internal artistKey;
    address internal otherArtist = makeAddr("other-artist");
    address internal collaborator = makeAddr("collaborator");

    FairToken internal fair;
    TrackRegistry internal registry;
    Promotions internal promotions;

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        (artist, artistKey) = makeAddrAndKey("artist");
        fair = new FairToken(
            FairToken.Allocation(makeAddr("rewards"), 600_000_000e18),
            FairToken.Allocation(makeAddr("treasury"), 300_000_000e18),
            true,
            FairToken.Allocation(faucet, 100_000_000e18)
        );
        registry = new TrackRegistry(admin);
        promotions = new Promotions(IERC20(address(fair)), registry, admin, PRICE);

        vm.prank(artist);
        registry.register(TRACK, DIGEST, _free(), _one(collaborator), _shares1(1_000_000));
        vm.prank(otherArtist);
        registry.register(OTHER_TRACK, DIGEST, _free(), _one(otherArtist), _shares1(1_000_000));

        _fund(artist, 10_000e18);
        _fund(otherArtist, 10_000e18);
        _fund(collaborator, 10_000e18);
        vm.prank(artist);
        fair.approve(address(promotions), type(uint256).max);
    }

    function _fund(address to, uint256 amount) internal {
        vm.prank(faucet);
        fair.transfer(to, amount);
    }

    function _free() internal pure returns (TrackRegistry.AccessRule memory) {
        return TrackRegistry.AccessRule(0, address(0), 0);
    }

    function _signPermit(uint256 key, address owner, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(promotions), value, nonce, deadline));
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", fair.DOMAIN_SEPARATOR(), structHash)));
    }
}

contract PromotionsTest is PromotionsFixture {
    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsTokenRegistryAdminAndPrice() public view {
        assertEq(address(promotions.fair()), address(fair));
        assertEq(address(promotions.registry()), address(registry));
        assertTrue(promotions.hasRole(promotions.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(promotions.pricePerDay(), PRICE);
        assertEq(promotions.BURN_ADDRESS(), BURN);
    }

    function test_Constructor_Revert_whenTokenZero() public {
        vm.expectRevert(Promotions.ZeroAddress.selector);
        new Promotions(IERC20(address(0)), registry, admin, PRICE);
    }

    function test_Constructor_Revert_whenRegistryZero() public {
        vm.expectRevert(Promotions.ZeroAddress.selector);
        new Promotions(IERC20(address(fair)), TrackRegistry(address(0)), admin, PRICE);
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(Promotions.ZeroAddress.selector);
        new Promotions(IERC20(address(fair)), registry, address(0), PRICE);
    }

    function test_Constructor_Revert_whenPriceZero() public {
        vm.expectRevert(Promotions.ZeroPrice.selector);
        new Promotions(IERC20(address(fair)), registry, admin, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                 PROMOTE
    //////////////////////////////////////////////////////////////*/

    function test_Promote_BurnsTheCostAndSetsTheEnd() public {
        uint64 now_ = uint64(block.timestamp);
        uint64 endsAt = now_ + 3 days;
        vm.expectEmit(true, true, false, true, address(promotions));
        emit Promotions.Promoted(TRACK, artist, now_, endsAt, 30e18);
        vm.prank(artist);
        assertEq(promotions.promote(TRACK, 3, 30e18), endsAt);

        assertEq(promotions.promotedUntil(TRACK), endsAt);
        assertTrue(promotions.isPromoted(TRACK));
        assertEq(fair.balanceOf(artist), 10_000e18 - 30e18);
        assertEq(fair.balanceOf(BURN), 30e18);
        assertEq(fair.balanceOf(address(promotions)), 0);
        assertEq(promotions.totalBurned(), 30e18);
    }

    function test_Promote_TakesOnlyTheCost_whenMoreOffered() public {
        vm.prank(artist);
        promotions.promote(TRACK, 2, 1_000e18);
        assertEq(fair.balanceOf(artist), 10_000e18 - 20e18);
        assertEq(fair.balanceOf(BURN), 20e18);
    }

    function test_Promote_ExtendsARunningPromotionFromItsEnd() public {
        uint64 now_ = uint64(block.timestamp);
        vm.prank(artist);
        promotions.promote(TRACK, 5, 50e18);
        vm.warp(block.timestamp + 2 days);

        vm.expectEmit(true, true, false, true, address(promotions));
        emit Promotions.Promoted(TRACK, artist, now_ + 5 days, now_ + 8 days, 30e18);
        vm.prank(artist);
        assertEq(promotions.promote(TRACK, 3, 30e18), now_ + 8 days);
        assertEq(promotions.promotedUntil(TRACK), now_ + 8 days);
    }

    function test_Promote_StartsAfresh_whenThePreviousEnded() public {
        vm.prank(artist);
        promotions.promote(TRACK, 1, PRICE);
        vm.warp(block.timestamp + 10 days);
        assertFalse(promotions.isPromoted(TRACK));

        vm.prank(artist);
        assertEq(promotions.promote(TRACK, 2, 2 * PRICE), uint64(block.timestamp) + 2 days);
    }

    function test_Promote_AllowsTheFullPeriodFromNow() public {
        vm.prank(artist);
        promotions.promote(TRACK, 90, 900e18);
        assertEq(promotions.promotedUntil(TRACK), block.timestamp + 90 days);
    }

    function test_Promote_ByTheNewOwner_afterTransfer() public {
        address buyer = makeAddr("buyer");
        _fund(buyer, 100e18);
        vm.prank(artist);
        registry.transferTrack(TRACK, buyer);

        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.NotTrackOwner.selector, TRACK, artist));
        promotions.promote(TRACK, 1, PRICE);

        vm.startPrank(buyer);
        fair.approve(address(promotions), PRICE);
        promotions.promote(TRACK, 1, PRICE);
        vm.stopPrank();
        assertEq(fair.balanceOf(BURN), PRICE);
    }

    function test_Promote_Revert_whenZeroDays() public {
        vm.prank(artist);
        vm.expectRevert(Promotions.ZeroDays.selector);
        promotions.promote(TRACK, 0, 0);
    }

    function test_Promote_Revert_whenTooManyDays() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.TooManyDays.selector, 91, 90));
        promotions.promote(TRACK, 91, 910e18);
    }

    function test_Promote_Revert_whenExtensionEndsTooFarAhead() public {
        uint64 now_ = uint64(block.timestamp);
        vm.prank(artist);
        promotions.promote(TRACK, 60, 600e18);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.PeriodTooLong.selector, now_ + 91 days, now_ + 90 days));
        promotions.promote(TRACK, 31, 310e18);
        // Thirty more days fit exactly.
        vm.prank(artist);
        promotions.promote(TRACK, 30, 300e18);
    }

    function test_Promote_Revert_whenUnknownTrack() public {
        bytes32 unknown = keccak256("nope");
        // The registry's error and the promotions contract's error share one selector.
        assertEq(Promotions.UnknownTrack.selector, TrackRegistry.UnknownTrack.selector);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.UnknownTrack.selector, unknown));
        promotions.promote(unknown, 1, PRICE);
    }

    function test_Promote_Revert_whenSomeoneElsesTrack() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.NotTrackOwner.selector, OTHER_TRACK, artist));
        promotions.promote(OTHER_TRACK, 1, PRICE);
    }

    function test_Promote_Revert_whenCollaboratorNotOwner() public {
        vm.startPrank(collaborator);
        fair.approve(address(promotions), PRICE);
        vm.expectRevert(abi.encodeWithSelector(Promotions.NotTrackOwner.selector, TRACK, collaborator));
        promotions.promote(TRACK, 1, PRICE);
        vm.stopPrank();
    }

    function test_Promote_Revert_whenPaymentBelowPriceTimesDays() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.PaymentTooLow.selector, 30e18 - 1, 30e18));
        promotions.promote(TRACK, 3, 30e18 - 1);
    }

    function test_Promote_Revert_whenPriceRoseAboveTheOffer() public {
        vm.prank(admin);
        promotions.setPricePerDay(11e18);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.PaymentTooLow.selector, 30e18, 33e18));
        promotions.promote(TRACK, 3, 30e18);
    }

    function test_Promote_Revert_whenBalanceBelowCost() public {
        address poor = makeAddr("poor");
        bytes32 poorTrack = keccak256("poor-track");
        vm.prank(poor);
        registry.register(poorTrack, DIGEST, _free(), _one(poor), _shares1(1_000_000));
        _fund(poor, 15e18);
        vm.startPrank(poor);
        fair.approve(address(promotions), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(Promotions.InsufficientBalance.selector, 15e18, 20e18));
        promotions.promote(poorTrack, 2, 20e18);
        vm.stopPrank();
        assertEq(promotions.promotedUntil(poorTrack), 0);
    }

    function test_Promote_Revert_whenAllowanceTooLow() public {
        vm.prank(artist);
        fair.approve(address(promotions), PRICE - 1);
        vm.prank(artist);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(promotions), PRICE - 1, PRICE)
        );
        promotions.promote(TRACK, 1, PRICE);
    }

    /*//////////////////////////////////////////////////////////////
                           PROMOTE WITH PERMIT
    //////////////////////////////////////////////////////////////*/

    function test_PromoteWithPermit_PaysWithoutApproval() public {
        vm.prank(artist);
        fair.approve(address(promotions), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 20e18, 0, deadline);
        vm.prank(artist);
        promotions.promoteWithPermit(TRACK, 2, 20e18, deadline, v, r, s);
        assertEq(fair.balanceOf(BURN), 20e18);
        assertEq(fair.allowance(artist, address(promotions)), 0);
        assertEq(fair.nonces(artist), 1);
    }

    function test_PromoteWithPermit_Succeeds_whenPermitFrontRun() public {
        vm.prank(artist);
        fair.approve(address(promotions), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 20e18, 0, deadline);
        fair.permit(artist, address(promotions), 20e18, deadline, v, r, s);
        vm.prank(artist);
        promotions.promoteWithPermit(TRACK, 2, 20e18, deadline, v, r, s);
        assertEq(fair.balanceOf(BURN), 20e18);
    }

    function test_PromoteWithPermit_Revert_whenPermitInvalidAndNoAllowance() public {
        vm.prank(artist);
        fair.approve(address(promotions), 0);
        uint256 deadline = block.timestamp + 1 hours;
        // Signed for another amount: the permit fails, and there is no allowance to fall back on.
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, 1e18, 0, deadline);
        vm.prank(artist);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(promotions), 0, 20e18)
        );
        promotions.promoteWithPermit(TRACK, 2, 20e18, deadline, v, r, s);
    }

    function test_PromoteWithPermit_Revert_whenSomeoneElsesTrack() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(artistKey, artist, PRICE, 0, deadline);
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(Promotions.NotTrackOwner.selector, OTHER_TRACK, artist));
        promotions.promoteWithPermit(OTHER_TRACK, 1, PRICE, deadline, v, r, s);
    }

    /*//////////////////////////////////////////////////////////////
                              PRICE, QUOTE
    //////////////////////////////////////////////////////////////*/

    function test_SetPricePerDay_ChangesTheQuote() public {
        vm.expectEmit(false, false, false, true, address(promotions));
        emit Promotions.PriceChanged(PRICE, 25e18);
        vm.prank(admin);
        promotions.setPricePerDay(25e18);
        assertEq(promotions.pricePerDay(), 25e18);
        assertEq(promotions.quote(4), 100e18);
    }

    function test_SetPricePerDay_Revert_whenNotAdmin() public {
        bytes32 adminRole = promotions.DEFAULT_ADMIN_ROLE();
        vm.prank(artist);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, artist, adminRole)
        );
        promotions.setPricePerDay(1);
    }

    function test_SetPricePerDay_Revert_whenZero() public {
        vm.prank(admin);
        vm.expectRevert(Promotions.ZeroPrice.selector);
        promotions.setPricePerDay(0);
    }

    function test_Quote_IsPriceTimesDays() public view {
        assertEq(promotions.quote(1), PRICE);
        assertEq(promotions.quote(90), 90 * PRICE);
    }

    function test_Quote_Revert_whenZeroDays() public {
        vm.expectRevert(Promotions.ZeroDays.selector);
        promotions.quote(0);
    }

    function test_Quote_Revert_whenTooManyDays() public {
        vm.expectRevert(abi.encodeWithSelector(Promotions.TooManyDays.selector, 91, 90));
        promotions.quote(91);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Promote_BurnsExactlyPriceTimesDays(uint256 price, uint256 days_, uint256 extra) public {
        price = bound(price, 1, 100e18);
        days_ = bound(days_, 1, 90);
        extra = bound(extra, 0, 1e18);
        vm.prank(admin);
        promotions.setPricePerDay(price);
        uint256 before = fair.balanceOf(artist);

        vm.prank(artist);
        uint64 endsAt = promotions.promote(TRACK, days_, price * days_ + extra);

        assertEq(endsAt, block.timestamp + days_ * 1 days);
        assertEq(before - fair.balanceOf(artist), price * days_);
        assertEq(fair.balanceOf(BURN), price * days_);
        assertEq(promotions.totalBurned(), price * days_);
    }

    function testFuzz_Promote_EndNeverGoesBackwards(uint256[6] memory days_, uint256[6] memory gaps) public {
        uint64 previous;
        for (uint256 i; i < 6; ++i) {
            vm.warp(block.timestamp + bound(gaps[i], 0, 40 days));
            uint64 now_ = uint64(block.timestamp);
            uint64 startsAt = previous > now_ ? previous : now_;
            uint256 room = (uint256(now_) + 90 days - startsAt) / 1 days;
            if (room == 0) continue;
            uint256 d = bound(days_[i], 1, room);
            vm.prank(artist);
            uint64 endsAt = promotions.promote(TRACK, d, d * PRICE);
            assertEq(endsAt, startsAt + d * 1 days);
            assertGt(endsAt, previous);
            assertEq(promotions.promotedUntil(TRACK), endsAt);
            previous = endsAt;
        }
    }
}

/// @notice Invariants over random promotions (fresh and extending) of several tracks, time passing and
///         price changes.
contract PromotionsInvariantTest is PromotionsFixture {
    PromotionsHandler internal handler;
    uint256 internal supply;

    function setUp() public override {
        super.setUp();
        bytes32[] memory tracks = new bytes32[](3);
        address[] memory owners = new address[](3);
        for (uint256 i; i < 3; ++i) {
            owners[i] = makeAddr(string.concat("handler-artist-", vm.toString(i)));
            tracks[i] = keccak256(abi.encode("handler-track", i));
            vm.prank(owners[i]);
            registry.register(tracks[i], DIGEST, _free(), _one(owners[i]), _shares1(1_000_000));
            _fund(owners[i], 1_000_000e18);
        }
        handler = new PromotionsHandler(promotions, fair, admin, tracks, owners);
        supply = fair.totalSupply();
        targetContract(address(handler));
    }

    /// @notice Every FAIR paid for promotions is at the burn address; the contract keeps none.
    function invariant_AllFairPaidIsBurned() public view {
        assertEq(promotions.totalBurned(), handler.ghostPaid());
        assertEq(fair.balanceOf(BURN), handler.ghostPaid());
        assertEq(fair.balanceOf(address(promotions)), 0);
        assertEq(fair.totalSupply(), supply);
    }

    /// @notice What the owners hold plus what was burned is what they were funded.
    function invariant_OwnersPaidExactlyWhatWasBurned() public view {
        uint256 held;
        for (uint256 i; i < handler.trackCount(); ++i) {
            held += fair.balanceOf(handler.ownerAt(i));
        }
        assertEq(held + handler.ghostPaid(), 3 * 1_000_000e18);
    }

    /// @notice `promotedUntil` only moves forward, equals the end of the latest promotion, and never lies
    ///         more than MAX_DAYS days ahead.
    function invariant_PromotedUntilIsMonotonicAndBounded() public view {
        assertFalse(handler.ghostWentBackwards());
        for (uint256 i; i < handler.trackCount(); ++i) {
            bytes32 trackId = handler.trackAt(i);
            uint64 until = promotions.promotedUntil(trackId);
            assertEq(until, handler.ghostUntil(trackId));
            assertLe(until, block.timestamp + 90 days);
        }
    }
}
