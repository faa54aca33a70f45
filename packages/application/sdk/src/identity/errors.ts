import { BaseError } from '@aegle/errors';

export class InvalidIdentityNameError extends BaseError {
  override name = 'InvalidIdentityNameError';
  constructor(name: string) {
    super(`"${name.slice(0, 80)}" is not a valid identity name`, {
      hint: 'use 1 to 64 lower-case letters, digits, ".", "-" or "_", starting with a letter or digit',
    });
  }
}

export class IdentityExistsError extends BaseError {
  override name = 'IdentityExistsError';
  constructor(name: string) {
    super(`an identity called "${name}" already exists`, {
      hint: 'choose another name, or use the existing identity',
    });
  }
}

export class UnknownIdentityError extends BaseError {
  override name = 'UnknownIdentityError';
  constructor(name: string) {
    super(`no identity called "${name}"`, {
      hint: 'list identities with `aegle account list`, or create one with `aegle account create`',
    });
  }
}

export class InvalidRoleError extends BaseError {
  override name = 'InvalidRoleError';
  constructor(role: string, allowed: readonly string[]) {
    super(`"${role.slice(0, 40)}" is not a role`, { hint: `use one of: ${allowed.join(', ')}` });
  }
}

export class InvalidIdentityFileError extends BaseError {
  override name = 'InvalidIdentityFileError';
  constructor(what: string) {
    super(`the identity file is not valid: ${what}`, {
      hint: 'export it again from its source; identity files hold {name, role, keystore}',
    });
  }
}
