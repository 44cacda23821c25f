// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SplitLib} from "../src/libraries/SplitLib.sol";
import {TrackRegistry} from "../src/TrackRegistry.sol";
import {SplitFixtures} from "./SplitLib.t.sol";

contract TrackRegistryTest is SplitFixtures {
    bytes32 internal constant TRACK = keccak256("track-1");
    bytes32 internal constant DIGEST = keccak256("metadata-1");

    address internal admin = makeAddr("admin");
    address internal registrar = makeAddr("registrar");
    address internal artist = makeAddr("artist");
    address internal stranger = makeAddr("stranger");
    address internal gateToken = makeAddr("gateToken");

    // Sorted: 0x...01 < 0x...02 < 0x...03.
    address internal r1 = address(0x1001);
    address internal r2 = address(0x1002);
    address internal r3 = address(0x1003);

    TrackRegistry internal registry;

    function setUp() public {
        registry = new TrackRegistry(admin);
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.prank(admin);
        registry.grantRole(role, registrar);
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_GrantsAdmin() public view {
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(registry.REGISTRAR_ROLE(), keccak256("REGISTRAR_ROLE"));
    }

    function test_Constructor_Revert_whenAdminZero() public {
        vm.expectRevert(TrackRegistry.ZeroAddress.selector);
        new TrackRegistry(address(0));
    }

    /*//////////////////////////////////////////////////////////////
                                REGISTER
    //////////////////////////////////////////////////////////////*/

    function test_Register_StoresTrackAndSplit() public {
        vm.warp(1_750_000_000);
        _register3();

        (address owner, bytes32 digest, TrackRegistry.AccessRule memory access, uint64 registeredAt) =
            registry.trackOf(TRACK);
        assertEq(owner, artist);
        assertEq(digest, DIGEST);
        assertEq(access.kind, 0);
        assertEq(access.token, address(0));
        assertEq(access.minBalance, 0);
        assertEq(registeredAt, 1_750_000_000);
        assertTrue(registry.exists(TRACK));
        assertFalse(registry.exists(keccak256("other")));

        (address[] memory recipients, uint32[] memory shares) = registry.splitOf(TRACK);
        _assertSplit(recipients, shares, _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000));
    }

    function test_Register_EmitsTrackRegistered() public {
        TrackRegistry.AccessRule memory access = TrackRegistry.AccessRule(1, gateToken, 10e18);
        vm.expectEmit(true, true, false, true, address(registry));
        emit TrackRegistry.TrackRegistered(
            TRACK, artist, DIGEST, access, _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000)
        );
        vm.prank(artist);
        registry.register(TRACK, DIGEST, access, _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000));
    }

    function test_Register_StoresGatedAccess() public {
        vm.prank(artist);
        registry.register(
            TRACK, DIGEST, TrackRegistry.AccessRule(2, gateToken, 1), _one(artist), _shares1(1_000_000)
        );
        (,, TrackRegistry.AccessRule memory access,) = registry.trackOf(TRACK);
        assertEq(access.kind, 2);
        assertEq(access.token, gateToken);
        assertEq(access.minBalance, 1);
    }

    function test_Register_StoresLargeSplitOutOfLine() public {
        (address[] memory r, uint32[] memory s) = _randomSplit(42, 100);
        vm.prank(artist);
        registry.register(TRACK, DIGEST, _free(), r, s);
        (address[] memory recipients, uint32[] memory shares) = registry.splitOf(TRACK);
        _assertSplit(recipients, shares, r, s);
    }

    /// @dev Every split size round-trips, inline (1-3) or as a data contract (4-100), with extreme values.
    function testFuzz_Register_SplitRoundTrips(uint256 seed, uint256 n, bytes32 trackId) public {
        vm.assume(trackId != bytes32(0));
        n = bound(n, 1, SplitLib.MAX_RECIPIENTS);
        (address[] memory r, uint32[] memory s) = _randomSplit(seed, n);
        if (seed % 2 == 0) r[n - 1] = address(type(uint160).max); // highest address still sorts last
        vm.prank(artist);
        registry.register(trackId, DIGEST, _free(), r, s);
        (address[] memory recipients, uint32[] memory shares) = registry.splitOf(trackId);
        _assertSplit(recipients, shares, r, s);
    }

    function test_Register_Revert_whenTrackIdZero() public {
        vm.prank(artist);
        vm.expectRevert(TrackRegistry.ZeroTrackId.selector);
        registry.register(bytes32(0), DIGEST, _free(), _one(artist), _shares1(1_000_000));
    }

    function test_Register_Revert_whenAlreadyRegistered() public {
        _register3();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.TrackAlreadyRegistered.selector, TRACK));
        registry.register(TRACK, DIGEST, _free(), _one(stranger), _shares1(1_000_000));
    }

    function test_Register_Revert_whenFreeAccessHasToken() public {
        _expectInvalidAccess(TrackRegistry.AccessRule(0, gateToken, 0));
    }

    function test_Register_Revert_whenFreeAccessHasMinBalance() public {
        _expectInvalidAccess(TrackRegistry.AccessRule(0, address(0), 1));
    }

    function test_Register_Revert_whenErc20AccessHasNoToken() public {
        _expectInvalidAccess(TrackRegistry.AccessRule(1, address(0), 1));
    }

    function test_Register_Revert_whenErc721AccessHasZeroMinBalance() public {
        _expectInvalidAccess(TrackRegistry.AccessRule(2, gateToken, 0));
    }

    function test_Register_Revert_whenAccessKindUnknown() public {
        _expectInvalidAccess(TrackRegistry.AccessRule(3, gateToken, 1));
    }

    function test_Register_Revert_whenSplitEmpty() public {
        vm.prank(artist);
        vm.expectRevert(SplitLib.EmptySplit.selector);
        registry.register(TRACK, DIGEST, _free(), new address[](0), new uint32[](0));
    }

    function test_Register_Revert_whenSplitInvalid() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(SplitLib.SharesDoNotSumToTotal.selector, 999_999));
        registry.register(TRACK, DIGEST, _free(), _three(r1, r2, r3), _shares3(600_000, 250_000, 149_999));
    }

    function test_Register_Revert_whenSplitUnsorted() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, 1));
        registry.register(TRACK, DIGEST, _free(), _three(r2, r1, r3), _shares3(600_000, 250_000, 150_000));
    }

    /*//////////////////////////////////////////////////////////////
                              REGISTER FOR
    //////////////////////////////////////////////////////////////*/

    function test_RegisterFor_SetsGivenOwner() public {
        vm.expectEmit(true, true, false, false, address(registry));
        emit TrackRegistry.TrackRegistered(TRACK, artist, DIGEST, _free(), _one(artist), _shares1(1_000_000));
        vm.prank(registrar);
        registry.registerFor(artist, TRACK, DIGEST, _free(), _one(artist), _shares1(1_000_000));
        (address owner,,,) = registry.trackOf(TRACK);
        assertEq(owner, artist);
    }

    function test_RegisterFor_Revert_whenNotRegistrar() public {
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        registry.registerFor(artist, TRACK, DIGEST, _free(), _one(artist), _shares1(1_000_000));
    }

    function test_RegisterFor_Revert_whenOwnerZero() public {
        vm.prank(registrar);
        vm.expectRevert(TrackRegistry.ZeroAddress.selector);
        registry.registerFor(address(0), TRACK, DIGEST, _free(), _one(artist), _shares1(1_000_000));
    }

    /*//////////////////////////////////////////////////////////////
                             UPDATE METADATA
    //////////////////////////////////////////////////////////////*/

    function test_UpdateMetadata_ReplacesDigest() public {
        _register3();
        bytes32 next = keccak256("metadata-2");
        vm.expectEmit(true, false, false, true, address(registry));
        emit TrackRegistry.TrackMetadataUpdated(TRACK, next);
        vm.prank(artist);
        registry.updateMetadata(TRACK, next);
        (, bytes32 digest,,) = registry.trackOf(TRACK);
        assertEq(digest, next);
    }

    function test_UpdateMetadata_Revert_whenNotOwner() public {
        _register3();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.NotTrackOwner.selector, TRACK, stranger));
        registry.updateMetadata(TRACK, bytes32(uint256(1)));
    }

    function test_UpdateMetadata_Revert_whenUnknownTrack() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.UnknownTrack.selector, TRACK));
        registry.updateMetadata(TRACK, bytes32(uint256(1)));
    }

    /*//////////////////////////////////////////////////////////////
                              UPDATE ACCESS
    //////////////////////////////////////////////////////////////*/

    function test_UpdateAccess_ReplacesRule() public {
        _register3();
        TrackRegistry.AccessRule memory gated = TrackRegistry.AccessRule(1, gateToken, 5e18);
        vm.expectEmit(true, false, false, true, address(registry));
        emit TrackRegistry.TrackAccessUpdated(TRACK, gated);
        vm.prank(artist);
        registry.updateAccess(TRACK, gated);
        (,, TrackRegistry.AccessRule memory access,) = registry.trackOf(TRACK);
        assertEq(access.kind, 1);
        assertEq(access.token, gateToken);
        assertEq(access.minBalance, 5e18);

        // And back to free: the gate's fields are cleared.
        vm.prank(artist);
        registry.updateAccess(TRACK, _free());
        (,, access,) = registry.trackOf(TRACK);
        assertEq(access.kind, 0);
        assertEq(access.token, address(0));
        assertEq(access.minBalance, 0);
    }

    function test_UpdateAccess_Revert_whenNotOwner() public {
        _register3();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.NotTrackOwner.selector, TRACK, stranger));
        registry.updateAccess(TRACK, _free());
    }

    function test_UpdateAccess_Revert_whenUnknownTrack() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.UnknownTrack.selector, TRACK));
        registry.updateAccess(TRACK, _free());
    }

    function test_UpdateAccess_Revert_whenRuleInvalid() public {
        _register3();
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.InvalidAccessRule.selector, uint8(1), gateToken, 0));
        registry.updateAccess(TRACK, TrackRegistry.AccessRule(1, gateToken, 0));
    }

    /*//////////////////////////////////////////////////////////////
                             TRANSFER TRACK
    //////////////////////////////////////////////////////////////*/

    function test_TransferTrack_ChangesOwnerNotSplit() public {
        _register3();
        vm.expectEmit(true, true, true, true, address(registry));
        emit TrackRegistry.TrackTransferred(TRACK, artist, stranger);
        vm.prank(artist);
        registry.transferTrack(TRACK, stranger);

        (address owner,,,) = registry.trackOf(TRACK);
        assertEq(owner, stranger);
        (address[] memory recipients, uint32[] memory shares) = registry.splitOf(TRACK);
        _assertSplit(recipients, shares, _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000));

        // The old owner lost control; the new owner has it.
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.NotTrackOwner.selector, TRACK, artist));
        registry.updateMetadata(TRACK, bytes32(uint256(1)));
        vm.prank(stranger);
        registry.updateMetadata(TRACK, bytes32(uint256(1)));
    }

    function test_TransferTrack_Revert_whenNotOwner() public {
        _register3();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.NotTrackOwner.selector, TRACK, stranger));
        registry.transferTrack(TRACK, stranger);
    }

    function test_TransferTrack_Revert_whenNewOwnerZero() public {
        _register3();
        vm.prank(artist);
        vm.expectRevert(TrackRegistry.ZeroAddress.selector);
        registry.transferTrack(TRACK, address(0));
    }

    function test_TransferTrack_Revert_whenUnknownTrack() public {
        vm.prank(artist);
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.UnknownTrack.selector, TRACK));
        registry.transferTrack(TRACK, stranger);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    function test_TrackOf_Revert_whenUnknownTrack() public {
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.UnknownTrack.selector, TRACK));
        registry.trackOf(TRACK);
    }

    function test_SplitOf_Revert_whenUnknownTrack() public {
        vm.expectRevert(abi.encodeWithSelector(TrackRegistry.UnknownTrack.selector, TRACK));
        registry.splitOf(TRACK);
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _free() internal pure returns (TrackRegistry.AccessRule memory) {
        return TrackRegistry.AccessRule(0, address(0), 0);
    }

    function _register3() internal {
        vm.prank(artist);
        registry.register(TRACK, DIGEST, _free(), _three(r1, r2, r3), _shares3(600_000, 250_000, 150_000));
    }

    function _expectInvalidAccess(TrackRegistry.AccessRule memory access) internal {
        vm.prank(artist);
        vm.expectRevert(
            abi.encodeWithSelector(TrackRegistry.InvalidAccessRule.selector, access.kind, access.token, access.minBalance)
        );
        registry.register(TRACK, DIGEST, access, _one(artist), _shares1(1_000_000));
    }

    function _assertSplit(
        address[] memory recipients,
        uint32[] memory shares,
        address[] memory expectedRecipients,
        uint32[] memory expectedShares
    ) internal pure {
        assertEq(recipients.length, expectedRecipients.length, "recipient count");
        assertEq(shares.length, expectedShares.length, "share count");
        for (uint256 i; i < recipients.length; ++i) {
            assertEq(recipients[i], expectedRecipients[i], "recipient");
            assertEq(shares[i], expectedShares[i], "share");
        }
    }
}
