// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Accounts} from "./Accounts.sol";

/// @title Consents
/// @notice A patient (or its guardian) grants a grantee read access to one record or to a whole
/// category, for a purpose, until an expiry, and can revoke it. Every change emits an event.
/// `canRead` is the one answer to "may X read record R now, and for which purpose?"; the node's
/// indexer answers the same question from its SQLite copy and is tested against this view.
/// The record's (patient, category) binding comes from its anchor (see Records): callers pass the
/// values proven by the anchor entry.
contract Consents is ERC2771Context {
    enum Scope {
        Record,
        Category
    }

    struct Grant {
        bytes32 purpose;
        uint64 expiresAt;
    }

    /// The purpose reported when a patient reads its own record.
    bytes32 public constant PURPOSE_OWNER = "owner";

    Accounts public immutable accounts;
    mapping(bytes32 grantKey => Grant) private _grants;

    event ConsentGranted(
        address indexed patient,
        address indexed grantee,
        Scope scope,
        bytes32 indexed target,
        bytes32 purpose,
        uint64 expiresAt,
        address by
    );
    event ConsentRevoked(address indexed patient, address indexed grantee, Scope scope, bytes32 indexed target, address by);

    error NotPatientOrGuardian(address caller, address patient);
    error InvalidGrantee(address grantee);
    error InvalidTarget();
    error InvalidPurpose();
    error ExpiryInPast(uint64 expiresAt);
    error NoSuchGrant();

    constructor(address trustedForwarder, Accounts accounts_) ERC2771Context(trustedForwarder) {
        accounts = accounts_;
    }

    /// @notice Grant (or replace) `grantee`'s access to `target` (a record id, or a category).
    function grant(address patient, address grantee, Scope scope, bytes32 target, bytes32 purpose, uint64 expiresAt)
        external
    {
        address caller = _onlyPatientOrGuardian(patient);
        // The grantee must be registered: the record key is wrapped to its encryption key.
        if (grantee == patient || accounts.roleOf(grantee) == Accounts.Role.None) revert InvalidGrantee(grantee);
        if (target == bytes32(0)) revert InvalidTarget();
        if (purpose == bytes32(0)) revert InvalidPurpose();
        if (expiresAt <= block.timestamp) revert ExpiryInPast(expiresAt);
        _grants[grantKey(patient, grantee, scope, target)] = Grant(purpose, expiresAt);
        emit ConsentGranted(patient, grantee, scope, target, purpose, expiresAt, caller);
    }

    /// @notice Revoke a grant that is still in force.
    function revoke(address patient, address grantee, Scope scope, bytes32 target) external {
        address caller = _onlyPatientOrGuardian(patient);
        bytes32 key = grantKey(patient, grantee, scope, target);
        if (_grants[key].expiresAt <= block.timestamp) revert NoSuchGrant();
        delete _grants[key];
        emit ConsentRevoked(patient, grantee, scope, target, caller);
    }

    /// @notice May `reader` read record `recordId` of `patient` in `category` now, and why?
    /// A record grant wins over a category grant; the patient itself always may.
    function canRead(address reader, address patient, bytes32 recordId, bytes32 category)
        external
        view
        returns (bool allowed, bytes32 purpose)
    {
        if (reader == patient && reader != address(0)) return (true, PURPOSE_OWNER);
        Grant storage g = _grants[grantKey(patient, reader, Scope.Record, recordId)];
        if (g.expiresAt > block.timestamp) return (true, g.purpose);
        g = _grants[grantKey(patient, reader, Scope.Category, category)];
        if (g.expiresAt > block.timestamp) return (true, g.purpose);
        return (false, bytes32(0));
    }

    function grantOf(address patient, address grantee, Scope scope, bytes32 target) external view returns (Grant memory) {
        return _grants[grantKey(patient, grantee, scope, target)];
    }

    function grantKey(address patient, address grantee, Scope scope, bytes32 target) public pure returns (bytes32) {
        return keccak256(abi.encode(patient, grantee, scope, target));
    }

    function _onlyPatientOrGuardian(address patient) private view returns (address caller) {
        caller = _msgSender();
        if (!accounts.actsFor(caller, patient)) revert NotPatientOrGuardian(caller, patient);
    }
}
