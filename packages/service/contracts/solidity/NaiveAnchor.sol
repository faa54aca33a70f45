// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title NaiveAnchor
/// @notice Benchmark baseline only, never deployed by Aegle: the design batching replaces, one
/// storage write per record, each in its own transaction.
contract NaiveAnchor {
    mapping(bytes32 recordId => bytes32 contentRoot) public anchors;

    event Anchored(bytes32 indexed recordId, bytes32 contentRoot);

    error AlreadyAnchored(bytes32 recordId);

    function anchor(bytes32 recordId, bytes32 contentRoot) external {
        if (anchors[recordId] != bytes32(0)) revert AlreadyAnchored(recordId);
        anchors[recordId] = contentRoot;
        emit Anchored(recordId, contentRoot);
    }
}
