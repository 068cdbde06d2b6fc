package io.shmbus.examples;

import io.shmbus.MessageHandler;
import io.shmbus.MessageHeader;
import io.shmbus.examples.trading.sbe.ExecutionReportDecoder;
import io.shmbus.examples.trading.sbe.MessageHeaderDecoder;
import io.shmbus.examples.trading.sbe.NewOrderSingleDecoder;
import io.shmbus.examples.trading.sbe.QuoteDecoder;
import io.shmbus.examples.trading.sbe.TradeDecoder;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the trading example's SBE messages in place, straight from the subscriber's view of the ring: the
 * decoders are flyweights wrapped over the handler's buffer, nothing is copied or allocated per message.
 *
 * <p>Before a message is decoded its SBE header is checked: a message of another schema, of a schema
 * version this reader does not know, of an unknown template, or shorter than its header says, is counted,
 * logged (the first few of them) and skipped, never misread. Subclasses receive the decoders of the
 * messages they override; a known message they do not expect on their topic is counted as unexpected.
 */
abstract class SbeReader implements MessageHandler
{
    private static final int LOGGED_REJECTS = 10;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final QuoteDecoder quote = new QuoteDecoder();
    private final TradeDecoder trade = new TradeDecoder();
    private final NewOrderSingleDecoder order = new NewOrderSingleDecoder();
    private final ExecutionReportDecoder report = new ExecutionReportDecoder();

    private long unknownSchema;
    private long unknownVersion;
    private long unknownTemplate;
    private long malformed;
    private long unexpected;

    @Override
    public final void onMessage(final DirectBuffer buffer, final int offset, final int length,
        final MessageHeader header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformed++;
            reject("a message of " + length + " bytes is shorter than an SBE header", header);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int schemaId = headerDecoder.schemaId();
        final int version = headerDecoder.version();
        if (schemaId != MessageHeaderDecoder.SCHEMA_ID)
        {
            unknownSchema++;
            reject("unknown schema id " + schemaId + " (this reader knows " + MessageHeaderDecoder.SCHEMA_ID + ")",
                header);
            return;
        }
        if (version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            unknownVersion++;
            reject("unknown version " + version + " of schema " + schemaId + " (this reader knows 1 to " +
                MessageHeaderDecoder.SCHEMA_VERSION + ")", header);
            return;
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        switch (templateId)
        {
            case QuoteDecoder.TEMPLATE_ID:
                if (fits(blockLength, QuoteDecoder.BLOCK_LENGTH, bodyLength, header))
                {
                    onQuote(quote.wrap(buffer, bodyOffset, blockLength, version));
                }
                break;

            case TradeDecoder.TEMPLATE_ID:
                if (fits(blockLength, TradeDecoder.BLOCK_LENGTH, bodyLength, header))
                {
                    onTrade(trade.wrap(buffer, bodyOffset, blockLength, version));
                }
                break;

            case NewOrderSingleDecoder.TEMPLATE_ID:
                if (fits(blockLength, NewOrderSingleDecoder.BLOCK_LENGTH, bodyLength, header))
                {
                    onOrder(order.wrap(buffer, bodyOffset, blockLength, version));
                }
                break;

            case ExecutionReportDecoder.TEMPLATE_ID:
                if (fits(blockLength, ExecutionReportDecoder.BLOCK_LENGTH, bodyLength, header))
                {
                    onReport(report.wrap(buffer, bodyOffset, blockLength, version));
                }
                break;

            default:
                unknownTemplate++;
                reject("unknown template id " + templateId + " of schema " + schemaId, header);
        }
    }

    /**
     * A quote, decoded in place: read it during the call only.
     *
     * @param quote the decoder, wrapped over the message.
     */
    void onQuote(final QuoteDecoder quote)
    {
        unexpected("Quote");
    }

    /**
     * A trade, decoded in place: read it during the call only.
     *
     * @param trade the decoder, wrapped over the message.
     */
    void onTrade(final TradeDecoder trade)
    {
        unexpected("Trade");
    }

    /**
     * An order, decoded in place: read it during the call only.
     *
     * @param order the decoder, wrapped over the message.
     */
    void onOrder(final NewOrderSingleDecoder order)
    {
        unexpected("NewOrderSingle");
    }

    /**
     * An execution report, decoded in place: read it during the call only.
     *
     * @param report the decoder, wrapped over the message.
     */
    void onReport(final ExecutionReportDecoder report)
    {
        unexpected("ExecutionReport");
    }

    /**
     * @return messages skipped for their schema id.
     */
    long unknownSchema()
    {
        return unknownSchema;
    }

    /**
     * @return messages skipped for their schema version.
     */
    long unknownVersion()
    {
        return unknownVersion;
    }

    /**
     * @return messages skipped for their template id.
     */
    long unknownTemplate()
    {
        return unknownTemplate;
    }

    /**
     * @return messages skipped because they are shorter than their header says.
     */
    long malformed()
    {
        return malformed;
    }

    /**
     * @return known messages that do not belong on the topic read.
     */
    long unexpected()
    {
        return unexpected;
    }

    /**
     * @return every message skipped, for whatever reason.
     */
    long skipped()
    {
        return unknownSchema + unknownVersion + unknownTemplate + malformed + unexpected;
    }

    private boolean fits(final int blockLength, final int knownBlockLength, final int bodyLength,
        final MessageHeader header)
    {
        // A block longer than this version's is fine (fields added later are ignored); a shorter one, or one that
        // runs past the message, is not.
        if (blockLength < knownBlockLength || blockLength > bodyLength)
        {
            malformed++;
            reject("block length " + blockLength + " does not fit (expected at least " + knownBlockLength +
                ", message body " + bodyLength + " bytes)", header);
            return false;
        }
        return true;
    }

    private void unexpected(final String message)
    {
        unexpected++;
        if (skipped() <= LOGGED_REJECTS)
        {
            LoggerFactory.getLogger(SbeReader.class).warn("skipped a {} message, which does not belong on this topic",
                message);
        }
    }

    private void reject(final String reason, final MessageHeader header)
    {
        if (skipped() <= LOGGED_REJECTS)
        {
            // The logger is looked up here, off the path of valid messages, and after the process named its role.
            final Logger log = LoggerFactory.getLogger(SbeReader.class);
            log.warn("skipped the message at position {} from publisher {}: {}{}", header.position(),
                header.publisherId(), reason, skipped() == LOGGED_REJECTS ? " (further ones are only counted)" : "");
        }
    }
}
