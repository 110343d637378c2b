-- Indexes for lookups and scoped lists over the whole book.
CREATE INDEX customers_manager ON customers(manager_staff_id, aum_fen);
CREATE INDEX customers_branch ON customers(branch_id, aum_fen);
CREATE INDEX customers_id_no ON customers(id_no);
CREATE INDEX customers_mobile ON customers(mobile);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_initials ON customers(name_initials);
CREATE INDEX customers_tier ON customers(tier, aum_fen);
