// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title AegleForwarder
/// @notice The one trusted forwarder of every Aegle contract. A node relays a user's EIP-712-signed
/// request and pays the gas; OpenZeppelin's forwarder checks the signature, the per-signer nonce
/// (no replay), the deadline (no late use) and the domain's chain id and address (no cross-chain use).
contract AegleForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("AegleForwarder") {}
}
