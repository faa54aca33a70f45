// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {Accounts} from "./Accounts.sol";
import {AegleRoles} from "./AegleRoles.sol";
import {Certification} from "./Certification.sol";

/// @title Records
/// @notice Record anchors. An entry binds a record id to its patient, creator, content root (the
/// CID's digest), metadata hash and category, signed by the creator (EIP-712: chain id, this
/// contract, a nonce, the signing time), alone or with other entries at once: a signature of the
/// root of a Merkle tree of entries, each entry carrying its proof (see `_signatureValid`). The
/// nonce is an OpenZeppelin keyed nonce (key in the high
/// 192 bits, sequence in the low 64): the direct path consumes it, so a creator writing from several
/// devices uses one key per device; batched entries only sign it (their uniqueness is the record id,
/// enforced by `challengeDuplicate`) and should use a fresh random key each. Two paths:
/// - direct: `anchor` checks everything and reverts otherwise (one entry, one transaction);
/// - batched: a node commits a Merkle root of many entries (`commitBatch`); the full entry list is
///   an object in content-addressed storage whose CID is emitted. Entries are checked after the
///   fact: `challenge` marks an entry invalid and records the committing node at fault.
/// Leaves are OpenZeppelin StandardMerkleTree leaves of the entry tuple (see `leafOf`).
/// An anchored record never changes; an update is a new record naming the one it `supersedes`.
contract Records is EIP712, NoncesKeyed, ERC2771Context {
    struct Entry {
        bytes32 recordId;
        address patient;
        address creator;
        bytes32 contentRoot;
        bytes32 metadataHash;
        bytes32 category;
        bytes32 supersedes;
        uint256 nonce;
        uint64 signedAt;
        bytes signature;
    }

    struct Batch {
        bytes32 root;
        address node;
        uint64 committedAt;
        uint32 entryCount;
    }

    struct DirectAnchor {
        bytes32 leaf;
        /// How many batches existed when this anchor landed: orders it against batches.
        uint64 afterBatch;
        bool invalid;
    }

    struct Occurrence {
        uint256 batchId;
        bytes32 leaf;
        uint256 position;
    }

    /// Why an entry was found invalid.
    enum Fault {
        None,
        BadSignature,
        SignedOutsideWindow,
        CreatorNotAllowed,
        Duplicate
    }

    bytes32 public constant ENTRY_TYPEHASH = keccak256(
        "AnchorEntry(bytes32 recordId,address patient,address creator,bytes32 contentRoot,bytes32 metadataHash,bytes32 category,bytes32 supersedes,uint256 nonce,uint64 signedAt)"
    );
    /// A creator may sign many entries at once: the root of an OpenZeppelin Merkle tree (sorted
    /// pairs) whose leaves are `entryBatchLeaf` of each entry, as this EIP-712 type. Each entry then
    /// carries a batch signature: BATCH_SIGNATURE_MAGIC ‖ the root's 65-byte signature ‖ the
    /// entry's proof (32 bytes per level). See `_signatureValid`.
    bytes32 public constant ENTRY_BATCH_TYPEHASH = keccak256("AnchorEntryBatch(bytes32 entriesRoot)");
    bytes4 public constant BATCH_SIGNATURE_MAGIC = bytes4(keccak256("Aegle AnchorEntryBatch signature"));
    /// Levels a batch signature's proof may have (trees of up to 2^32 entries): a longer one is not
    /// a batch signature, so no challenger pays to fold an arbitrarily long proof.
    uint256 public constant MAX_BATCH_PROOF_DEPTH = 32;
    /// An entry must be committed within this long after it was signed (and not before), so a
    /// creator cannot backdate a signature to a time it was still certified.
    uint64 public constant MAX_SIGNATURE_AGE = 1 days;

    Accounts public immutable accounts;
    Certification public immutable certification;

    Batch[] private _batches;
    mapping(bytes32 recordId => DirectAnchor) private _direct;
    mapping(uint256 batchId => mapping(bytes32 leaf => Fault)) private _invalid;
    mapping(address node => uint256) public nodeFaults;

    event RecordAnchored(
        bytes32 indexed recordId,
        address indexed patient,
        address indexed creator,
        bytes32 contentRoot,
        bytes32 metadataHash,
        bytes32 category,
        bytes32 supersedes,
        uint64 signedAt
    );
    event BatchCommitted(uint256 indexed batchId, bytes32 root, address indexed node, uint32 entryCount, bytes cid);
    event EntryInvalidated(uint256 indexed batchId, bytes32 indexed leaf, bytes32 indexed recordId, Fault fault);
    event NodeFaulted(address indexed node, uint256 indexed batchId, bytes32 leaf, Fault fault);

    error NotNode(address caller);
    error EmptyBatch();
    error UnknownBatch(uint256 batchId);
    error InvalidSignature();
    error SignatureOutsideWindow(uint64 signedAt);
    error CreatorNotAllowed(address creator, address patient);
    error RecordAlreadyAnchored(bytes32 recordId);
    error InvalidRecordId();
    error NotIncluded();
    error AlreadyInvalid();
    error EntryIsValid();
    error NotDuplicate();
    error MissingCid();

    constructor(address trustedForwarder, Accounts accounts_, Certification certification_)
        EIP712("Aegle Records", "1")
        ERC2771Context(trustedForwarder)
    {
        accounts = accounts_;
        certification = certification_;
    }

    // ---------------------------------------------------------------- direct path

    /// @notice Anchor one entry; anyone may submit it, the creator's signature is the authority.
    function anchor(Entry calldata e) external {
        if (e.recordId == bytes32(0)) revert InvalidRecordId();
        if (_direct[e.recordId].leaf != bytes32(0)) revert RecordAlreadyAnchored(e.recordId);
        if (!_signatureValid(e)) revert InvalidSignature();
        if (e.signedAt > block.timestamp || e.signedAt + MAX_SIGNATURE_AGE < block.timestamp) {
            revert SignatureOutsideWindow(e.signedAt);
        }
        if (!writeAllowedAt(e.creator, e.patient, e.signedAt)) revert CreatorNotAllowed(e.creator, e.patient);
        _useCheckedNonce(e.creator, e.nonce);
        _direct[e.recordId] = DirectAnchor(leafOf(e), uint64(_batches.length), false);
        emit RecordAnchored(
            e.recordId, e.patient, e.creator, e.contentRoot, e.metadataHash, e.category, e.supersedes, e.signedAt
        );
    }

    // ---------------------------------------------------------------- batched path

    /// @notice A node commits the Merkle root of `entryCount` entries whose full list is the
    /// content-addressed object `cid`. Returns the batch id (1-based; 0 means "direct anchor").
    function commitBatch(bytes32 root, uint32 entryCount, bytes calldata cid) external returns (uint256 batchId) {
        address node = _msgSender();
        if (!certification.hasRole(AegleRoles.NODE_ROLE, node)) revert NotNode(node);
        if (entryCount == 0 || root == bytes32(0)) revert EmptyBatch();
        // Without the list's CID no one could rebuild the proofs or challenge an entry.
        if (cid.length == 0) revert MissingCid();
        _batches.push(Batch(root, node, uint64(block.timestamp), entryCount));
        batchId = _batches.length;
        emit BatchCommitted(batchId, root, node, entryCount, cid);
    }

    /// @notice Prove that a batched entry breaks the rules: a bad signature, a signing time outside
    /// the window before its batch, or a creator not allowed to write for the patient at signing time.
    /// The entry is marked invalid and its node recorded at fault. Reverts if the entry is valid.
    function challenge(uint256 batchId, Entry calldata e, bytes32[] calldata proof) external returns (Fault fault) {
        Batch storage b = _batch(batchId);
        bytes32 leaf = leafOf(e);
        if (!MerkleProof.verifyCalldata(proof, b.root, leaf)) revert NotIncluded();
        if (_invalid[batchId][leaf] != Fault.None) revert AlreadyInvalid();
        if (!_signatureValid(e)) fault = Fault.BadSignature;
        else if (e.signedAt > b.committedAt || e.signedAt + MAX_SIGNATURE_AGE < b.committedAt) fault = Fault.SignedOutsideWindow;
        else if (!writeAllowedAt(e.creator, e.patient, e.signedAt)) fault = Fault.CreatorNotAllowed;
        else revert EntryIsValid();
        _markInvalid(batchId, b.node, leaf, e.recordId, fault);
    }

    /// @notice Prove that a record id was anchored twice. `batchId` 0 designates a direct anchor
    /// (its proof is ignored). The later of the two is marked invalid; if it was batched, its node is
    /// at fault. Order: batches by id, a direct anchor after the batches that existed when it landed;
    /// within one batch, the entry with the smaller leaf stands.
    function challengeDuplicate(
        uint256 batchA,
        Entry calldata a,
        bytes32[] calldata proofA,
        uint256 batchB,
        Entry calldata b,
        bytes32[] calldata proofB
    ) external {
        if (a.recordId != b.recordId) revert NotDuplicate();
        Occurrence memory later = _later(_standingOccurrence(batchA, a, proofA), _standingOccurrence(batchB, b, proofB));
        if (later.batchId == 0) {
            _direct[a.recordId].invalid = true;
            emit EntryInvalidated(0, later.leaf, a.recordId, Fault.Duplicate);
        } else {
            _markInvalid(later.batchId, _batches[later.batchId - 1].node, later.leaf, a.recordId, Fault.Duplicate);
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice The creator may write for the patient at `timestamp`: it is the patient, the
    /// patient's guardian at that time, or a provider or institution certified at that time. The
    /// patient must have registered before.
    function writeAllowedAt(address creator, address patient, uint256 timestamp) public view returns (bool) {
        if (accounts.roleOf(patient) != Accounts.Role.Patient || accounts.registeredAt(patient) > timestamp) {
            return false;
        }
        if (creator == patient) return true;
        if (creator != address(0) && accounts.guardianAt(patient, timestamp) == creator) return true;
        Accounts.Role role = accounts.roleOf(creator);
        if (role != Accounts.Role.Provider && role != Accounts.Role.Institution) return false;
        return certification.isCertifiedAt(creator, timestamp);
    }

    /// @notice The StandardMerkleTree leaf of an entry:
    /// keccak256(bytes.concat(keccak256(abi.encode(recordId, patient, creator, contentRoot,
    /// metadataHash, category, supersedes, nonce, signedAt, signature)))).
    function leafOf(Entry calldata e) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                keccak256(
                    abi.encode(
                        e.recordId,
                        e.patient,
                        e.creator,
                        e.contentRoot,
                        e.metadataHash,
                        e.category,
                        e.supersedes,
                        e.nonce,
                        e.signedAt,
                        e.signature
                    )
                )
            )
        );
    }

    /// @notice The EIP-712 digest the creator signs.
    function entryDigest(Entry calldata e) public view returns (bytes32) {
        return _hashTypedDataV4(_entryStructHash(e));
    }

    /// @notice An entry's leaf in a tree of entries signed at once: its EIP-712 struct hash,
    /// hashed twice as OpenZeppelin's StandardMerkleTree hashes leaves (so no inner node of a
    /// tree, 64 bytes hashed once, can pass for a leaf).
    function entryBatchLeaf(Entry calldata e) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(_entryStructHash(e)))));
    }

    /// @notice The EIP-712 digest a creator signs for a tree of entries.
    function entryBatchDigest(bytes32 entriesRoot) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ENTRY_BATCH_TYPEHASH, entriesRoot)));
    }

    /// @notice Whether `leaf` is in batch `batchId` (by `proof`), and whether it was found invalid.
    function entryStatus(uint256 batchId, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool included, Fault fault)
    {
        Batch storage b = _batch(batchId);
        return (MerkleProof.verifyCalldata(proof, b.root, leaf), _invalid[batchId][leaf]);
    }

    /// @notice Whether entry `e` is in batch `batchId` (by `proof`), and whether it was found invalid:
    /// what a client needs, with only an RPC URL, to trust one batched record.
    function verifyEntry(uint256 batchId, Entry calldata e, bytes32[] calldata proof)
        external
        view
        returns (bool included, Fault fault)
    {
        Batch storage b = _batch(batchId);
        bytes32 leaf = leafOf(e);
        return (MerkleProof.verifyCalldata(proof, b.root, leaf), _invalid[batchId][leaf]);
    }

    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    function batch(uint256 batchId) external view returns (Batch memory) {
        return _batch(batchId);
    }

    function directAnchor(bytes32 recordId) external view returns (DirectAnchor memory) {
        return _direct[recordId];
    }

    // ---------------------------------------------------------------- internals

    /// The entry's own signature, or a batch signature: BATCH_SIGNATURE_MAGIC, then the creator's
    /// signature of the root of a tree of entries (entryBatchDigest), then the entry's proof in it.
    /// A malformed batch signature is simply not valid: a challenge of it must mark the entry
    /// invalid, never revert.
    function _signatureValid(Entry calldata e) private view returns (bool) {
        bytes calldata signature = e.signature;
        if (
            signature.length >= 69 && signature.length <= 69 + 32 * MAX_BATCH_PROOF_DEPTH
                && (signature.length - 69) % 32 == 0 && bytes4(signature[:4]) == BATCH_SIGNATURE_MAGIC
        ) {
            bytes32[] memory proof = new bytes32[]((signature.length - 69) / 32);
            for (uint256 i = 0; i < proof.length; ++i) {
                proof[i] = bytes32(signature[69 + 32 * i:101 + 32 * i]);
            }
            bytes32 root = MerkleProof.processProof(proof, entryBatchLeaf(e));
            return SignatureChecker.isValidSignatureNow(e.creator, entryBatchDigest(root), signature[4:69]);
        }
        return SignatureChecker.isValidSignatureNow(e.creator, entryDigest(e), signature);
    }

    function _entryStructHash(Entry calldata e) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                ENTRY_TYPEHASH,
                e.recordId,
                e.patient,
                e.creator,
                e.contentRoot,
                e.metadataHash,
                e.category,
                e.supersedes,
                e.nonce,
                e.signedAt
            )
        );
    }

    function _batch(uint256 batchId) private view returns (Batch storage) {
        if (batchId == 0 || batchId > _batches.length) revert UnknownBatch(batchId);
        return _batches[batchId - 1];
    }

    /// Where an occurrence of a record id stands in anchoring order, if it is anchored and not
    /// already found invalid. Positions: batch k -> 2k, direct anchor after k batches -> 2k + 1.
    function _standingOccurrence(uint256 batchId, Entry calldata e, bytes32[] calldata proof)
        private
        view
        returns (Occurrence memory o)
    {
        o.batchId = batchId;
        o.leaf = leafOf(e);
        if (batchId == 0) {
            DirectAnchor storage d = _direct[e.recordId];
            if (d.leaf != o.leaf) revert NotIncluded();
            if (d.invalid) revert AlreadyInvalid();
            o.position = 2 * uint256(d.afterBatch) + 1;
            return o;
        }
        Batch storage b = _batch(batchId);
        if (!MerkleProof.verifyCalldata(proof, b.root, o.leaf)) revert NotIncluded();
        if (_invalid[batchId][o.leaf] != Fault.None) revert AlreadyInvalid();
        o.position = 2 * batchId;
    }

    /// The later of two distinct occurrences; within one batch the larger leaf counts as later.
    function _later(Occurrence memory x, Occurrence memory y) private pure returns (Occurrence memory) {
        if (x.batchId == y.batchId && x.leaf == y.leaf) revert NotDuplicate();
        if (x.position != y.position) return x.position > y.position ? x : y;
        return x.leaf > y.leaf ? x : y;
    }

    function _markInvalid(uint256 batchId, address node, bytes32 leaf, bytes32 recordId, Fault fault) private {
        _invalid[batchId][leaf] = fault;
        nodeFaults[node] += 1;
        emit EntryInvalidated(batchId, leaf, recordId, fault);
        emit NodeFaulted(node, batchId, leaf, fault);
    }
}
