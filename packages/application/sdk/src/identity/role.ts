import { InvalidRoleError } from './errors.ts';
import { ROLES, type Role } from './key-store.ts';

export function assertRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new InvalidRoleError(role, ROLES);
  return role as Role;
}
