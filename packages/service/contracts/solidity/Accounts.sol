// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

/// @title Accounts
/// @notice Who is on the network: each address registers itself once, with a role and an
/// encryption public key (the key records are wrapped to). Registration and key rotation use
/// `_msgSender()`, so they are signed by the account's own key, sent directly or relayed by a node.
/// A patient may name a guardian, who can then rotate the key, grant or revoke consent and write
/// (anchor) records for them.
contract Accounts is ERC2771Context {
    using Checkpoints for Checkpoints.Trace208;

    enum Role {
        None,
        Patient,
        Provider,
        Institution,
        Researcher,
        Authority
    }

    struct Account {
        Role role;
        uint64 registeredAt;
        address guardian;
        bytes encryptionKey;
    }

    /// Shortest and longest accepted public key: X25519 (32 bytes) up to an uncompressed P-521 point.
    uint256 public constant MIN_KEY_LENGTH = 32;
    uint256 public constant MAX_KEY_LENGTH = 133;

    mapping(address account => Account) private _accounts;
    /// Every appointment is kept (timestamp -> guardian address, address(0) for none), so "was G the
    /// guardian at time T" stays answerable: a batched record written by a guardian is judged at its
    /// signing time, possibly long after.
    mapping(address patient => Checkpoints.Trace208) private _guardianHistory;

    event AccountRegistered(address indexed account, Role role, bytes encryptionKey);
    event EncryptionKeyRotated(address indexed account, bytes encryptionKey, address indexed by);
    event GuardianSet(address indexed patient, address indexed guardian);

    error AlreadyRegistered(address account);
    error NotRegistered(address account);
    error InvalidRole();
    error InvalidEncryptionKey();
    error NotPatient(address account);
    error InvalidGuardian(address guardian);
    error NotAccountOrGuardian(address caller, address account);

    constructor(address trustedForwarder) ERC2771Context(trustedForwarder) {}

    /// @notice Register the caller with `role` and its encryption public key.
    function register(Role role, bytes calldata encryptionKey) external {
        address account = _msgSender();
        if (_accounts[account].role != Role.None) revert AlreadyRegistered(account);
        // Out-of-range values never get here: the ABI decoder rejects them.
        if (role == Role.None) revert InvalidRole();
        _checkKey(encryptionKey);
        _accounts[account] = Account(role, uint64(block.timestamp), address(0), encryptionKey);
        emit AccountRegistered(account, role, encryptionKey);
    }

    /// @notice Replace the encryption key of `account`; callable by the account or its guardian.
    function rotateEncryptionKey(address account, bytes calldata encryptionKey) external {
        address caller = _msgSender();
        Account storage a = _accounts[account];
        if (a.role == Role.None) revert NotRegistered(account);
        if (caller != account && caller != a.guardian) revert NotAccountOrGuardian(caller, account);
        _checkKey(encryptionKey);
        a.encryptionKey = encryptionKey;
        emit EncryptionKeyRotated(account, encryptionKey, caller);
    }

    /// @notice The calling patient names (or, with address(0), removes) its guardian.
    function setGuardian(address guardian) external {
        address patient = _msgSender();
        Account storage a = _accounts[patient];
        if (a.role != Role.Patient) revert NotPatient(patient);
        if (guardian == patient) revert InvalidGuardian(guardian);
        if (guardian != address(0) && _accounts[guardian].role == Role.None) revert InvalidGuardian(guardian);
        a.guardian = guardian;
        _guardianHistory[patient].push(uint48(block.timestamp), uint208(uint160(guardian)));
        emit GuardianSet(patient, guardian);
    }

    function roleOf(address account) external view returns (Role) {
        return _accounts[account].role;
    }

    function registeredAt(address account) external view returns (uint64) {
        return _accounts[account].registeredAt;
    }

    function guardianOf(address account) external view returns (address) {
        return _accounts[account].guardian;
    }

    /// @notice The guardian of `patient` at `timestamp` (address(0) for none). An appointment made
    /// at time T counts from T on.
    function guardianAt(address patient, uint256 timestamp) external view returns (address) {
        uint48 key = timestamp > type(uint48).max ? type(uint48).max : uint48(timestamp);
        return address(uint160(_guardianHistory[patient].upperLookupRecent(key)));
    }

    function encryptionKeyOf(address account) external view returns (bytes memory) {
        return _accounts[account].encryptionKey;
    }

    /// @notice True when `caller` may act for `patient` (the patient itself, or its guardian).
    function actsFor(address caller, address patient) public view returns (bool) {
        Account storage a = _accounts[patient];
        if (a.role != Role.Patient) return false;
        return caller == patient || (a.guardian != address(0) && caller == a.guardian);
    }

    function _checkKey(bytes calldata key) private pure {
        if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) revert InvalidEncryptionKey();
    }
}
