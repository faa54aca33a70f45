// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Accounts} from "./Accounts.sol";
import {AegleRoles} from "./AegleRoles.sol";

/// @title Certification
/// @notice Holds the network's roles (AccessControl) and the certificates of providers,
/// institutions and researchers. Today an AUTHORITY certifies; a later peer-vote-with-stake
/// contract will be granted CERTIFIER_ROLE and call the same `certify`/`revoke`.
/// Every certificate ever issued is kept, so "was X certified at time T" stays answerable:
/// batched record anchors are judged at their signing time, possibly long after.
contract Certification is AccessControl, ERC2771Context {
    struct Certificate {
        bytes32 credentialHash;
        uint64 issuedAt;
        uint64 expiresAt;
        uint64 revokedAt;
        address issuer;
    }

    Accounts public immutable accounts;
    mapping(address subject => Certificate[]) private _certificates;

    event Certified(address indexed subject, bytes32 credentialHash, uint64 expiresAt, address indexed issuer);
    event CertificationRevoked(address indexed subject, address indexed by);

    error NotCertifier(address caller);
    error NotCertifiable(address subject);
    error InvalidCredential();
    error ExpiryInPast(uint64 expiresAt);
    error NotCertified(address subject);

    constructor(address trustedForwarder, Accounts accounts_, address authority) ERC2771Context(trustedForwarder) {
        accounts = accounts_;
        _grantRole(DEFAULT_ADMIN_ROLE, authority);
        _grantRole(AegleRoles.AUTHORITY_ROLE, authority);
        _setRoleAdmin(AegleRoles.NODE_ROLE, AegleRoles.AUTHORITY_ROLE);
    }

    /// @notice Certify `subject` with a credential hash (e.g. of a licence) until `expiresAt`.
    /// A new certificate supersedes the current one from now on.
    function certify(address subject, bytes32 credentialHash, uint64 expiresAt) external {
        address caller = _onlyCertifier();
        Accounts.Role role = accounts.roleOf(subject);
        if (role != Accounts.Role.Provider && role != Accounts.Role.Institution && role != Accounts.Role.Researcher) {
            revert NotCertifiable(subject);
        }
        if (credentialHash == bytes32(0)) revert InvalidCredential();
        if (expiresAt <= block.timestamp) revert ExpiryInPast(expiresAt);
        Certificate[] storage list = _certificates[subject];
        uint256 n = list.length;
        // End the current certificate where the new one starts, so the history has no overlap.
        if (n > 0 && list[n - 1].revokedAt == 0 && list[n - 1].expiresAt > block.timestamp) {
            list[n - 1].revokedAt = uint64(block.timestamp);
        }
        list.push(Certificate(credentialHash, uint64(block.timestamp), expiresAt, 0, caller));
        emit Certified(subject, credentialHash, expiresAt, caller);
    }

    /// @notice Revoke the current certificate of `subject` from now on.
    function revoke(address subject) external {
        address caller = _onlyCertifier();
        Certificate[] storage list = _certificates[subject];
        uint256 n = list.length;
        if (n == 0 || !_activeAt(list[n - 1], block.timestamp)) revert NotCertified(subject);
        list[n - 1].revokedAt = uint64(block.timestamp);
        emit CertificationRevoked(subject, caller);
    }

    function isCertified(address subject) external view returns (bool) {
        return isCertifiedAt(subject, block.timestamp);
    }

    /// @notice Whether `subject` held a valid certificate at `timestamp` (issued at or before it,
    /// not yet expired, not yet revoked).
    function isCertifiedAt(address subject, uint256 timestamp) public view returns (bool) {
        Certificate[] storage list = _certificates[subject];
        for (uint256 i = list.length; i > 0; i--) {
            Certificate storage c = list[i - 1];
            if (c.issuedAt > timestamp) continue;
            return _activeAt(c, timestamp);
        }
        return false;
    }

    function certificateCount(address subject) external view returns (uint256) {
        return _certificates[subject].length;
    }

    function certificateAt(address subject, uint256 index) external view returns (Certificate memory) {
        return _certificates[subject][index];
    }

    function _activeAt(Certificate storage c, uint256 t) private view returns (bool) {
        return c.issuedAt <= t && t < c.expiresAt && (c.revokedAt == 0 || t < c.revokedAt);
    }

    function _onlyCertifier() private view returns (address caller) {
        caller = _msgSender();
        if (!hasRole(AegleRoles.AUTHORITY_ROLE, caller) && !hasRole(AegleRoles.CERTIFIER_ROLE, caller)) {
            revert NotCertifier(caller);
        }
    }

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
