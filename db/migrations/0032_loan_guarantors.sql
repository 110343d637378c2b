-- Issue 20.5, 担保信息: the customer who guarantees a loan (保证人), from the loan extract's optional
-- 保证人客户号 column (shared/imports.ts). One guarantor per loan, as the extract carries it; NULL for
-- loans without one (mortgages, pledges, credit loans, or an extract without the column). The risk
-- signals read both ways: the loans a customer guarantees (this index) and a borrower's guarantors.
-- Imported data, like the loan itself: never synced between PCs (the signals derived from it are
-- found again on each PC from the same extract).
ALTER TABLE loans ADD COLUMN guarantor_customer_id INTEGER REFERENCES customers(id);
CREATE INDEX loans_guarantor ON loans(guarantor_customer_id, status) WHERE guarantor_customer_id IS NOT NULL;
