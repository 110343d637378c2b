-- Indexes for the customer grid over a million customers: sorting the whole book, the quick-filter
-- chips (inactive, birthday this month) and "holds product X" filters driven from the product side.
CREATE INDEX customers_aum ON customers(aum_fen);
CREATE INDEX customers_last_txn ON customers(last_txn_on);
CREATE INDEX customers_opened ON customers(opened_on);
CREATE INDEX customers_birth_month ON customers(substr(birth_date, 6, 2)) WHERE kind = 'individual';
CREATE INDEX accounts_product ON accounts(product_id, customer_id);
CREATE INDEX wealth_holdings_product ON wealth_holdings(product_id, customer_id);
CREATE INDEX loans_product ON loans(product_id, customer_id);
-- "The last four digits" of a mobile or ID number, as a customer reads them out at the counter.
CREATE INDEX customers_mobile_last4 ON customers(substr(mobile, -4));
CREATE INDEX customers_id_no_last4 ON customers(substr(id_no, -4));
