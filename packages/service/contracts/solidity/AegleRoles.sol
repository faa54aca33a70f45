// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Role identifiers shared by every Aegle contract. They live in Certification's AccessControl.
library AegleRoles {
    /// Certifies and revokes providers, institutions and researchers; grants NODE_ROLE.
    bytes32 internal constant AUTHORITY_ROLE = keccak256("AEGLE_AUTHORITY_ROLE");
    /// A contract (the future peer-vote-with-stake path) that may certify like an authority.
    bytes32 internal constant CERTIFIER_ROLE = keccak256("AEGLE_CERTIFIER_ROLE");
    /// A node that may commit batched record anchors and audit roots.
    bytes32 internal constant NODE_ROLE = keccak256("AEGLE_NODE_ROLE");
}
