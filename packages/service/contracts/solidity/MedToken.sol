// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MedToken
/// @notice The network's ERC-20, for storage purchases and research escrow (later issues). A fixed
/// supply is minted once to the treasury; there is no mint function to abuse.
contract MedToken is ERC20, ERC20Permit {
    constructor(address treasury, uint256 supply) ERC20("Aegle Med", "MED") ERC20Permit("Aegle Med") {
        _mint(treasury, supply);
    }
}
