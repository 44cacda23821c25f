// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {PayoutDistributor} from "../../src/PayoutDistributor.sol";
import {BlockableToken, MockUSD6} from "../mocks/PayoutMocks.sol";
import {PayoutMerkle} from "./PayoutMerkle.sol";

/// @notice Drives a PayoutDistributor the way the node, the guardian, funders and claimers do, with
///         bounded, always-valid calls: fund, publish cumulative roots (4 accounts x 2 tokens), void
///         pending epochs, let time pass, claim one or all, block and unblock recipients, withdraw.
contract PayoutDistributorHandler is Test {
    uint256 internal constant ACCOUNTS = 4;
    uint256 internal constant TOKENS = 2;

    PayoutDistributor public immutable dist;
    BlockableToken public immutable blockable;
    MockUSD6 public immutable usd;
    address internal immutable operator;
    address internal immutable guardian;
    address internal immutable funder = makeAddr("handler-funder");
    uint64 internal immutable window;

    address[ACCOUNTS] internal accounts;
    address[TOKENS] internal tokens; // ascending

    /// @dev The cumulative amounts the next publish builds on: the latest non-voided epoch's.
    uint256[ACCOUNTS][TOKENS] internal cum;
    mapping(uint64 epoch => uint256[ACCOUNTS][TOKENS]) internal snapshots;
    mapping(uint64 epoch => bool) public voided;
    uint64[] public epochs;
    uint64 internal nextEpoch = 1;

    constructor(PayoutDistributor dist_, BlockableToken blockable_, MockUSD6 usd_, address operator_, address guardian_, uint64 window_) {
        dist = dist_;
        blockable = blockable_;
        usd = usd_;
        operator = operator_;
        guardian = guardian_;
        window = window_;
        for (uint256 a; a < ACCOUNTS; ++a) {
            accounts[a] = makeAddr(string.concat("handler-account-", vm.toString(a)));
        }
        (tokens[0], tokens[1]) =
            address(blockable_) < address(usd_) ? (address(blockable_), address(usd_)) : (address(usd_), address(blockable_));
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    function fund(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % TOKENS];
        amount = bound(amount, 1, 1e30);
        if (token == address(usd)) usd.mint(funder, amount);
        else blockable.mint(funder, amount);
        vm.startPrank(funder);
        BlockableToken(token).approve(address(dist), amount);
        dist.fund(token, amount);
        vm.stopPrank();
    }

    function publish(uint256 seed) external {
        uint256[] memory totals = new uint256[](TOKENS);
        for (uint256 t; t < TOKENS; ++t) {
            uint256 total;
            for (uint256 a; a < ACCOUNTS; ++a) {
                total += cum[t][a];
            }
            uint256 headroom = dist.funded(tokens[t]) - total;
            for (uint256 a; a < ACCOUNTS; ++a) {
                uint256 increment = bound(uint256(keccak256(abi.encode(seed, t, a))), 0, headroom / ACCOUNTS);
                cum[t][a] += increment;
                total += increment;
            }
            totals[t] = total;
        }
        uint64 epoch = nextEpoch;
        nextEpoch = epoch + 1 + uint64(seed % 3); // epochs may skip numbers
        snapshots[epoch] = cum;
        epochs.push(epoch);

        address[] memory tokenList = new address[](TOKENS);
        for (uint256 t; t < TOKENS; ++t) {
            tokenList[t] = tokens[t];
        }
        vm.prank(operator);
        dist.publishEpoch(epoch, PayoutMerkle.root(_leaves(epoch)), keccak256(abi.encode("plays", epoch)), bytes32(seed), tokenList, totals);
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 2 * uint256(window) + 1));
    }

    function voidEpoch(uint256 epochSeed) external {
        if (epochs.length == 0) return;
        uint64 epoch = epochs[epochSeed % epochs.length];
        (, uint64 claimableAt, bool isVoided) = dist.epochOf(epoch);
        if (isVoided || block.timestamp >= claimableAt) return;
        vm.prank(guardian);
        dist.voidEpoch(epoch);
        voided[epoch] = true;
        // The next publish builds on the latest epoch still standing (or on nothing).
        delete cum;
        for (uint256 i = epochs.length; i > 0; --i) {
            if (!voided[epochs[i - 1]]) {
                cum = snapshots[epochs[i - 1]];
                break;
            }
        }
    }

    function claim(uint256 epochSeed, uint256 accountSeed, uint256 tokenSeed, uint256 callerSeed) external {
        if (epochs.length == 0) return;
        uint64 epoch = epochs[epochSeed % epochs.length];
        if (!dist.isFinal(epoch)) return;
        uint256 t = tokenSeed % TOKENS;
        uint256 a = accountSeed % ACCOUNTS;
        uint256 index = t * ACCOUNTS + a;
        bytes32[] memory proof = PayoutMerkle.proof(_leaves(epoch), index);
        // Anyone may claim for anyone.
        vm.prank(address(uint160(uint256(keccak256(abi.encode("caller", callerSeed))))));
        dist.claim(epoch, accounts[a], tokens[t], snapshots[epoch][t][a], proof);
    }

    function claimAll(uint256 epochSeed) external {
        if (epochs.length == 0) return;
        uint64 epoch = epochs[epochSeed % epochs.length];
        if (!dist.isFinal(epoch)) return;
        bytes32[] memory leaves = _leaves(epoch);
        PayoutDistributor.Claim[] memory claims = new PayoutDistributor.Claim[](ACCOUNTS * TOKENS);
        for (uint256 t; t < TOKENS; ++t) {
            for (uint256 a; a < ACCOUNTS; ++a) {
                uint256 index = t * ACCOUNTS + a;
                claims[index] = PayoutDistributor.Claim(accounts[a], tokens[t], snapshots[epoch][t][a], PayoutMerkle.proof(leaves, index));
            }
        }
        dist.claimMany(epoch, claims);
    }

    function setBlocked(uint256 accountSeed, bool isBlocked) external {
        blockable.setBlocked(accounts[accountSeed % ACCOUNTS], isBlocked);
    }

    function withdraw(uint256 accountSeed, uint256 tokenSeed) external {
        address account = accounts[accountSeed % ACCOUNTS];
        address token = tokens[tokenSeed % TOKENS];
        if (dist.owed(account, token) == 0) return;
        if (token == address(blockable) && blockable.blocked(account)) return;
        vm.prank(account);
        dist.withdraw(token);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    function accountAt(uint256 a) external view returns (address) {
        return accounts[a];
    }

    function tokenAt(uint256 t) external view returns (address) {
        return tokens[t];
    }

    function epochCount() external view returns (uint256) {
        return epochs.length;
    }

    /// @notice The largest cumulative amount of any non-voided epoch for (token t, account a): no account
    ///         may ever be paid more.
    function maxEntitled(uint256 t, uint256 a) external view returns (uint256 max) {
        for (uint256 i; i < epochs.length; ++i) {
            if (voided[epochs[i]]) continue;
            uint256 amount = snapshots[epochs[i]][t][a];
            if (amount > max) max = amount;
        }
    }

    function _leaves(uint64 epoch) internal view returns (bytes32[] memory leaves) {
        leaves = new bytes32[](ACCOUNTS * TOKENS);
        for (uint256 t; t < TOKENS; ++t) {
            for (uint256 a; a < ACCOUNTS; ++a) {
                leaves[t * ACCOUNTS + a] = PayoutMerkle.leaf(accounts[a], tokens[t], snapshots[epoch][t][a]);
            }
        }
    }
}
