// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SplitLib} from "../src/libraries/SplitLib.sol";

/// @notice Exposes the library's internal functions, with calldata arrays as in the registry.
contract SplitLibHarness {
    function validate(address[] calldata recipients, uint32[] calldata shares) external pure {
        SplitLib.validate(recipients, shares);
    }

    function allocate(uint256 amount, uint32[] memory shares) external pure returns (uint256[] memory) {
        return SplitLib.allocate(amount, shares);
    }
}

/// @notice Builds random valid splits from a seed (shared by the registry and tips tests).
abstract contract SplitFixtures is Test {
    /// @dev `n` strictly ascending non-zero addresses and `n` non-zero shares summing to 1e6.
    function _randomSplit(uint256 seed, uint256 n)
        internal
        pure
        returns (address[] memory recipients, uint32[] memory shares)
    {
        recipients = new address[](n);
        shares = new uint32[](n);
        uint256 previous = uint256(keccak256(abi.encode(seed, "start"))) % type(uint64).max;
        uint256 rest = SplitLib.TOTAL_PPM - n; // every share gets 1, then the rest is spread at random
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            previous += 1 + (r % type(uint96).max);
            recipients[i] = address(uint160(previous));
            uint256 extra = i == n - 1 ? rest : (r >> 128) % (rest + 1);
            rest -= extra;
            shares[i] = uint32(1 + extra);
        }
    }

    function _one(address a) internal pure returns (address[] memory r) {
        r = new address[](1);
        r[0] = a;
    }

    function _shares1(uint32 a) internal pure returns (uint32[] memory s) {
        s = new uint32[](1);
        s[0] = a;
    }

    function _three(address a, address b, address c) internal pure returns (address[] memory r) {
        r = new address[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    function _shares3(uint32 a, uint32 b, uint32 c) internal pure returns (uint32[] memory s) {
        s = new uint32[](3);
        (s[0], s[1], s[2]) = (a, b, c);
    }
}

contract SplitLibTest is SplitFixtures {
    SplitLibHarness internal lib;

    function setUp() public {
        lib = new SplitLibHarness();
    }

    /*//////////////////////////////////////////////////////////////
                                VALIDATE
    //////////////////////////////////////////////////////////////*/

    function test_Validate_AcceptsSingleRecipient() public view {
        lib.validate(_one(address(1)), _shares1(1_000_000));
    }

    function test_Validate_AcceptsHundredRecipients() public view {
        (address[] memory r, uint32[] memory s) = _randomSplit(7, 100);
        lib.validate(r, s);
    }

    function test_Validate_Revert_whenEmpty() public {
        vm.expectRevert(SplitLib.EmptySplit.selector);
        lib.validate(new address[](0), new uint32[](0));
    }

    function test_Validate_Revert_whenTooManyRecipients() public {
        address[] memory r = new address[](101);
        uint32[] memory s = new uint32[](101);
        vm.expectRevert(abi.encodeWithSelector(SplitLib.TooManyRecipients.selector, 101));
        lib.validate(r, s);
    }

    function test_Validate_Revert_whenLengthMismatch() public {
        vm.expectRevert(SplitLib.LengthMismatch.selector);
        lib.validate(_three(address(1), address(2), address(3)), _shares1(1_000_000));
    }

    function test_Validate_Revert_whenFirstRecipientZero() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, 0));
        lib.validate(_one(address(0)), _shares1(1_000_000));
    }

    function test_Validate_Revert_whenRecipientsNotSorted() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, 2));
        lib.validate(_three(address(1), address(3), address(2)), _shares3(600_000, 250_000, 150_000));
    }

    function test_Validate_Revert_whenRecipientDuplicated() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, 1));
        lib.validate(_three(address(1), address(1), address(2)), _shares3(600_000, 250_000, 150_000));
    }

    function test_Validate_Revert_whenShareZero() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.ZeroShare.selector, 1));
        lib.validate(_three(address(1), address(2), address(3)), _shares3(600_000, 0, 400_000));
    }

    function test_Validate_Revert_whenSharesSumBelowTotal() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.SharesDoNotSumToTotal.selector, 999_999));
        lib.validate(_three(address(1), address(2), address(3)), _shares3(600_000, 250_000, 149_999));
    }

    function test_Validate_Revert_whenSharesSumAboveTotal() public {
        vm.expectRevert(abi.encodeWithSelector(SplitLib.SharesDoNotSumToTotal.selector, 1_000_001));
        lib.validate(_three(address(1), address(2), address(3)), _shares3(600_000, 250_000, 150_001));
    }

    function test_Validate_Revert_whenSharesSumOverflowsUint32() public {
        // 0xffffffff * 2 + 2 wraps to 0 in uint32 arithmetic: the sum must be taken wider.
        vm.expectRevert(abi.encodeWithSelector(SplitLib.SharesDoNotSumToTotal.selector, uint256(type(uint32).max) * 2 + 2));
        lib.validate(_three(address(1), address(2), address(3)), _shares3(type(uint32).max, type(uint32).max, 2));
    }

    function testFuzz_Validate_AcceptsRandomValidSplit(uint256 seed, uint256 n) public view {
        n = bound(n, 1, SplitLib.MAX_RECIPIENTS);
        (address[] memory r, uint32[] memory s) = _randomSplit(seed, n);
        lib.validate(r, s);
    }

    /// @dev Any single perturbation of a valid split is rejected, with the error naming it.
    function testFuzz_Validate_RejectsPerturbedSplit(uint256 seed, uint256 n, uint256 kind, uint256 at, uint32 delta)
        public
    {
        n = bound(n, 1, SplitLib.MAX_RECIPIENTS);
        (address[] memory r, uint32[] memory s) = _randomSplit(seed, n);
        uint256 i = bound(at, 0, n - 1);
        kind = bound(kind, 0, 6);
        if (kind == 0) {
            // zero share
            s[i] = 0;
            vm.expectRevert(abi.encodeWithSelector(SplitLib.ZeroShare.selector, i));
        } else if (kind == 1) {
            // sum off by a non-zero delta (raised: no share becomes zero)
            delta = uint32(bound(delta, 1, type(uint32).max - 1_000_000));
            s[i] += delta;
            vm.expectRevert(abi.encodeWithSelector(SplitLib.SharesDoNotSumToTotal.selector, 1_000_000 + uint256(delta)));
        } else if (kind == 2) {
            // a recipient equal to or below its predecessor (or the zero address first)
            address floor = i == 0 ? address(0) : r[i - 1];
            r[i] = address(uint160(bound(uint160(delta), 0, uint160(floor))));
            vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, i));
        } else if (kind == 3) {
            // lengths differ
            assembly ("memory-safe") {
                mstore(s, sub(mload(s), 1))
            }
            vm.expectRevert(SplitLib.LengthMismatch.selector);
        } else if (kind == 4) {
            // the two recipients around i swapped
            if (n == 1) {
                r[0] = address(0);
                vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, 0));
            } else {
                uint256 j = i == n - 1 ? i - 1 : i;
                (r[j], r[j + 1]) = (r[j + 1], r[j]);
                vm.expectRevert(abi.encodeWithSelector(SplitLib.RecipientsNotSorted.selector, j + 1));
            }
        } else if (kind == 5) {
            // empty
            r = new address[](0);
            s = new uint32[](0);
            vm.expectRevert(SplitLib.EmptySplit.selector);
        } else {
            // too many
            uint256 m = SplitLib.MAX_RECIPIENTS + 1 + (delta % 50);
            r = new address[](m);
            s = new uint32[](m);
            vm.expectRevert(abi.encodeWithSelector(SplitLib.TooManyRecipients.selector, m));
        }
        lib.validate(r, s);
    }

    /*//////////////////////////////////////////////////////////////
                                ALLOCATE
    //////////////////////////////////////////////////////////////*/

    function test_Allocate_SixtyTwentyFiveFifteen() public view {
        uint256[] memory parts = lib.allocate(1e18, _shares3(600_000, 250_000, 150_000));
        assertEq(parts[0], 0.6e18);
        assertEq(parts[1], 0.25e18);
        assertEq(parts[2], 0.15e18);
    }

    function test_Allocate_RemainderGoesToFirst() public view {
        // 100 * 1/3 each: floors 33, 33, 33; the remainder 1 goes to the first recipient.
        uint256[] memory parts = lib.allocate(100, _shares3(333_334, 333_333, 333_333));
        assertEq(parts[0], 34);
        assertEq(parts[1], 33);
        assertEq(parts[2], 33);
    }

    function test_Allocate_TinyAmountAllToFirst() public view {
        uint256[] memory parts = lib.allocate(2, _shares3(333_334, 333_333, 333_333));
        assertEq(parts[0], 2);
        assertEq(parts[1], 0);
        assertEq(parts[2], 0);
    }

    function test_Allocate_MaxAmountDoesNotOverflow() public view {
        uint256 amount = type(uint256).max;
        uint256[] memory parts = lib.allocate(amount, _shares3(1, 499_999, 500_000));
        assertEq(parts[1], Math.mulDiv(amount, 499_999, 1_000_000));
        assertEq(parts[2], Math.mulDiv(amount, 500_000, 1_000_000));
        assertEq(parts[0] + parts[1] + parts[2], amount);
    }

    function testFuzz_Allocate_SumsExactlyAndRoundsDown(uint256 seed, uint256 n, uint256 amount) public view {
        n = bound(n, 1, SplitLib.MAX_RECIPIENTS);
        (, uint32[] memory s) = _randomSplit(seed, n);
        uint256[] memory parts = lib.allocate(amount, s);
        assertEq(parts.length, n);

        uint256 sum;
        for (uint256 i; i < n; ++i) {
            uint256 exactFloor = Math.mulDiv(amount, s[i], SplitLib.TOTAL_PPM);
            if (i > 0) {
                // Within 1 of the exact pro-rata part: its floor.
                assertEq(parts[i], exactFloor, "floor part");
            } else {
                // The first recipient's floor plus the remainder, which is at most n - 1.
                assertGe(parts[0], exactFloor, "first below its floor");
                assertLe(parts[0] - exactFloor, n - 1, "remainder above n - 1");
            }
            sum += parts[i];
        }
        assertEq(sum, amount, "parts do not sum to amount");
    }
}
