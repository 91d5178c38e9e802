namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// The money rules EF Core cannot model, enforced by the database whatever the code does: an invoice's total and
/// settled sums are kept by triggers as lines and allocations are added; an allocation that would take a payment
/// past its amount, or an invoice past its total, or join a payment and an invoice of different clinics, customers
/// or currencies, is refused; lines, payments and allocations are never changed or removed. Each allocation locks its
/// payment, then its invoice, so concurrent allocations wait for each other rather than both passing a check; the
/// locks are FOR NO KEY UPDATE, which the foreign keys' own KEY SHARE locks do not block (FOR UPDATE did: two desks
/// paying one invoice deadlocked).
/// Applied by the migration <c>InitialPayments</c>; a change to a rule is a new migration.
/// </summary>
public static class PaymentSchema
{
    public const string SettledWithinTotal = "ck_invoices_settled_within_total";
    public const string AllocationWithinPayment = "ck_payment_allocations_within_payment";
    public const string AllocationSameParty = "ck_payment_allocations_same_party";
    public const string LineOnVoidInvoice = "ck_invoice_lines_invoice_not_void";
    public const string AppendOnly = "ck_append_only";
    public const string CreditNotNegative = "ck_credit_balances_not_negative";
    public const string CouponWithinLimit = "ck_coupons_within_limit";
    public const string CreditNotesWithinPaid = "ck_credit_notes_within_paid";
    public const string RefundsWithinPayment = "ck_refunds_within_payment";

    public const string Rules = $$"""
        CREATE FUNCTION invoice_lines_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- A line grows its invoice; one added to a paid invoice (an extra charge) opens it again.
            UPDATE invoices SET total = total + NEW.amount, status = 'open', paid_at = NULL
             WHERE id = NEW.invoice_id AND status <> 'void';
            IF NOT FOUND THEN
                RAISE EXCEPTION 'Invoice % is void: nothing can be added to it.', NEW.invoice_id
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{LineOnVoidInvoice}}';
            END IF;
            RETURN NEW;
        END $$;

        CREATE FUNCTION payment_allocations_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            p payments%ROWTYPE;
            i invoices%ROWTYPE;
            allocated numeric;
        BEGIN
            SELECT * INTO p FROM payments WHERE id = NEW.payment_id FOR NO KEY UPDATE;
            SELECT sum(amount) INTO allocated FROM payment_allocations WHERE payment_id = NEW.payment_id;
            IF allocated > p.amount THEN
                RAISE EXCEPTION 'Payment % has % % to allocate; % asked.', p.id, p.amount, p.currency, allocated
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{AllocationWithinPayment}}';
            END IF;
            SELECT * INTO i FROM invoices WHERE id = NEW.invoice_id FOR NO KEY UPDATE;
            IF i.clinic_id <> p.clinic_id OR i.customer_id <> p.customer_id OR i.currency <> p.currency OR i.status = 'void' THEN
                RAISE EXCEPTION 'Payment % cannot go to invoice %: another clinic, customer or currency, or a void invoice.', p.id, i.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{AllocationSameParty}}';
            END IF;
            -- ck_invoices_settled_within_total refuses an allocation past the total.
            UPDATE invoices SET settled = settled + NEW.amount,
                   status = CASE WHEN settled + NEW.amount = total THEN 'paid' ELSE 'open' END,
                   paid_at = CASE WHEN settled + NEW.amount = total THEN now() END
             WHERE id = NEW.invoice_id;
            RETURN NEW;
        END $$;

        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are only ever added.', TG_TABLE_NAME
                USING ERRCODE = 'check_violation', CONSTRAINT = '{{AppendOnly}}';
        END $$;

        CREATE TRIGGER invoice_lines_add AFTER INSERT ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_add();
        CREATE TRIGGER payment_allocations_apply AFTER INSERT ON payment_allocations FOR EACH ROW EXECUTE FUNCTION payment_allocations_apply();
        CREATE TRIGGER invoice_lines_append_only BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();
        CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION refuse_change();
        CREATE TRIGGER payment_allocations_append_only BEFORE UPDATE OR DELETE ON payment_allocations FOR EACH ROW EXECUTE FUNCTION refuse_change();
        """;

    /// <summary>
    /// The credit ledger's rules (migration <c>Credit</c>): each entry moves its balance (one row per clinic, customer
    /// and currency, created by the first entry), which may never go below zero; the upsert locks the balance's row, so
    /// two spends at once wait for each other. Entries and credit notes are only ever added.
    /// </summary>
    public const string CreditRules = $$"""
        CREATE FUNCTION credit_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Update first: an INSERT's CHECK is tested on the row it proposes, before any conflict, so a spend
            -- (a negative amount) cannot go through ON CONFLICT. A first entry creates the balance (a first spend,
            -- from no balance, is refused by its CHECK).
            UPDATE credit_balances SET balance = balance + NEW.amount
             WHERE clinic_id = NEW.clinic_id AND customer_id = NEW.customer_id AND currency = NEW.currency;
            IF NOT FOUND THEN
                INSERT INTO credit_balances (clinic_id, customer_id, currency, balance)
                VALUES (NEW.clinic_id, NEW.customer_id, NEW.currency, NEW.amount)
                ON CONFLICT (clinic_id, customer_id, currency) DO UPDATE SET balance = credit_balances.balance + EXCLUDED.balance;
            END IF;
            RETURN NEW;
        END $$;

        CREATE TRIGGER credit_entries_apply AFTER INSERT ON credit_entries FOR EACH ROW EXECUTE FUNCTION credit_entries_apply();
        CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries FOR EACH ROW EXECUTE FUNCTION refuse_change();
        CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes FOR EACH ROW EXECUTE FUNCTION refuse_change();
        """;

    /// <summary>
    /// The rules of what staff give back (migration <c>Refunds</c>): the credit notes of an invoice never add up to more
    /// than was paid on it, and the refunds of a card payment never to more than it took. Each locks its invoice or
    /// payment first, so two at once are checked one after the other.
    /// </summary>
    public const string RefundRules = $$"""
        CREATE FUNCTION credit_notes_within_paid() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            paid numeric;
            credited numeric;
        BEGIN
            SELECT settled INTO paid FROM invoices WHERE id = NEW.invoice_id FOR NO KEY UPDATE;
            SELECT sum(amount) INTO credited FROM credit_notes WHERE invoice_id = NEW.invoice_id;
            IF credited > paid THEN
                RAISE EXCEPTION 'Invoice % was paid %; its credit notes would give back %.', NEW.invoice_id, paid, credited
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{CreditNotesWithinPaid}}';
            END IF;
            RETURN NEW;
        END $$;

        CREATE FUNCTION refunds_within_payment() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            taken numeric;
            refunded numeric;
        BEGIN
            SELECT amount INTO taken FROM payments WHERE id = NEW.payment_id AND method = 'card' FOR NO KEY UPDATE;
            SELECT sum(amount) INTO refunded FROM refunds WHERE payment_id = NEW.payment_id;
            IF taken IS NULL OR refunded > taken THEN
                RAISE EXCEPTION 'Card payment % took %; its refunds would give back %.', NEW.payment_id, taken, refunded
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{RefundsWithinPayment}}';
            END IF;
            RETURN NEW;
        END $$;

        CREATE TRIGGER credit_notes_within_paid AFTER INSERT ON credit_notes FOR EACH ROW EXECUTE FUNCTION credit_notes_within_paid();
        CREATE TRIGGER refunds_within_payment AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION refunds_within_payment();
        """;
}
