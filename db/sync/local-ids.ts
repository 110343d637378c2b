import { query } from '../sql';

/**
 * Shared records name people, customers and outlets by their natural keys (user name, customer
 * number, employee number, branch code); a projection turns them into this store's integer ids.
 */
export const BRANCH_ID = query<[code: string], { id: number }>('SELECT id FROM branches WHERE code = ?');
export const CUSTOMER_ID = query<[no: string], { id: number }>('SELECT id FROM customers WHERE customer_no = ?');
export const STAFF_ID = query<[no: string], { id: number }>('SELECT id FROM staff WHERE employee_no = ?');
export const USER_ID = query<[username: string], { id: number }>('SELECT id FROM users WHERE username = ?');
