// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AegleRoles} from "./AegleRoles.sol";
import {Certification} from "./Certification.sol";

/// @title AuditLog
/// @notice Every release of a record to someone other than its patient is logged by the releasing
/// node, and committed like batched anchors: a Merkle root on chain, the full list as a
/// content-addressed object whose CID is emitted. Leaves are StandardMerkleTree leaves of
/// (bytes32 recordId, address patient, address reader, bytes32 purpose, uint64 releasedAt).
contract AuditLog is ERC2771Context {
    struct Commit {
        bytes32 root;
        address node;
        uint64 committedAt;
        uint32 entryCount;
    }

    Certification public immutable certification;
    Commit[] private _commits;

    event AuditCommitted(uint256 indexed commitId, bytes32 root, address indexed node, uint32 entryCount, bytes cid);

    error NotNode(address caller);
    error EmptyCommit();
    error UnknownCommit(uint256 commitId);
    error MissingCid();

    constructor(address trustedForwarder, Certification certification_) ERC2771Context(trustedForwarder) {
        certification = certification_;
    }

    /// @notice Commit the root of `entryCount` audit entries listed in the object `cid`; returns its
    /// 1-based id.
    function commit(bytes32 root, uint32 entryCount, bytes calldata cid) external returns (uint256 commitId) {
        address node = _msgSender();
        if (!certification.hasRole(AegleRoles.NODE_ROLE, node)) revert NotNode(node);
        if (entryCount == 0 || root == bytes32(0)) revert EmptyCommit();
        // Without the list's CID no one could rebuild the proofs.
        if (cid.length == 0) revert MissingCid();
        _commits.push(Commit(root, node, uint64(block.timestamp), entryCount));
        commitId = _commits.length;
        emit AuditCommitted(commitId, root, node, entryCount, cid);
    }

    /// @notice Whether an audit entry is in commit `commitId`.
    function verifyEntry(
        uint256 commitId,
        bytes32 recordId,
        address patient,
        address reader,
        bytes32 purpose,
        uint64 releasedAt,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(recordId, patient, reader, purpose, releasedAt))));
        return MerkleProof.verifyCalldata(proof, commitAt(commitId).root, leaf);
    }

    function commitCount() external view returns (uint256) {
        return _commits.length;
    }

    function commitAt(uint256 commitId) public view returns (Commit memory) {
        if (commitId == 0 || commitId > _commits.length) revert UnknownCommit(commitId);
        return _commits[commitId - 1];
    }
}
