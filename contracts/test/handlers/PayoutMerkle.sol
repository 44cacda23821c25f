// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @notice Builds payout Merkle trees in Solidity tests, compatible with OpenZeppelin's MerkleProof
///         (commutative keccak256 of sorted pairs) and with StandardMerkleTree's leaf encoding. The
///         shape differs from StandardMerkleTree's (no leaf sorting), which MerkleProof does not care about.
library PayoutMerkle {
    /// @notice StandardMerkleTree leaf of (address account, address token, uint256 cumulativeAmount).
    function leaf(address account, address token, uint256 cumulativeAmount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, token, cumulativeAmount))));
    }

    /// @notice Root of `leaves` (pairs (2i, 2i+1) at each level; an odd last node moves up unchanged).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        require(leaves.length > 0, "no leaves");
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            level = _up(level);
        }
        return level[0];
    }

    /// @notice Proof of `leaves[index]` against `root(leaves)`.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory out) {
        bytes32[] memory buffer = new bytes32[](64);
        uint256 length;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) buffer[length++] = level[sibling];
            level = _up(level);
            index /= 2;
        }
        out = new bytes32[](length);
        for (uint256 i; i < length; ++i) {
            out[i] = buffer[i];
        }
    }

    function _up(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i; i < next.length; ++i) {
            uint256 left = 2 * i;
            next[i] = left + 1 < level.length ? _hashPair(level[left], level[left + 1]) : level[left];
        }
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }
}
