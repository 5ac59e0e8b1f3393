package io.netwarden.dnc.snmp;

import io.netwarden.dnc.HostResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.PDUv1;
import org.snmp4j.SNMP4JSettings;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.TransportMapping;
import org.snmp4j.TransportStateReference;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * SNMP over one snmp4j UDP transport for the whole process.
 *
 * <pre>
 *   caller thread ─▶ send(PDU, target) ─▶ UDP socket ─▶ agent
 *                                          │
 *   transport thread ◀── packet ── TrackingDispatcher ─┬─ decodes: completes the caller's request
 *                                                      └─ fails to decode: counted against the sender's address
 * </pre>
 *
 * A request without a response is {@code timed_out}, unless undecodable packets came from the agent's address in the
 * meantime: then it is {@code bad_response}. SNMPv3 users are localised per authoritative engine ID, which is
 * discovered once per endpoint and cached.
 *
 * <p>Thread safety: snmp4j's {@code Snmp} is thread-safe for concurrent synchronous sends; the engine-ID, user and
 * parse-error maps are concurrent maps.
 */
public final class Snmp4jClient implements SnmpClient {

    private static final Logger LOG = Logger.getLogger(Snmp4jClient.class);
    /** A walk returning more than this many varbinds is cut off with an error, to protect the agent's memory. */
    static final int MAX_WALK_VARBINDS = 2_000_000;

    private static final OID USM_STATS = new OID("1.3.6.1.6.3.15.1.1");
    private static final Map<String, String> USM_REPORTS = Map.of(
            "1.3.6.1.6.3.15.1.1.1.0", "the agent does not support the requested security level",
            "1.3.6.1.6.3.15.1.1.2.0", "the request was outside the agent's time window",
            "1.3.6.1.6.3.15.1.1.3.0", "unknown SNMPv3 user",
            "1.3.6.1.6.3.15.1.1.4.0", "unknown engine ID",
            "1.3.6.1.6.3.15.1.1.5.0", "wrong authentication password or protocol",
            "1.3.6.1.6.3.15.1.1.6.0", "wrong privacy password or protocol");

    private final Snmp snmp;
    private final USM usm;
    private final Map<String, byte[]> engineIds = new ConcurrentHashMap<>();
    private final Map<String, String> localisedUsers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> parseErrors = new ConcurrentHashMap<>();

    /** The counters snmp4j raises for a packet it cannot decode. */
    private static final List<OID> DECODE_FAILURES = List.of(SnmpConstants.snmpInASNParseErrs, SnmpConstants.snmpInvalidMsgs,
            SnmpConstants.snmpInBadVersions);

    private final HostResolver resolver;

    public Snmp4jClient() throws IOException {
        this(HostResolver.system());
    }

    /** {@code resolver}: how element addresses become IP addresses (host names are looked up here, at run time). */
    public Snmp4jClient(HostResolver resolver) throws IOException {
        this.resolver = resolver;
        // Accept an agent's unauthenticated report (wrong password, unknown user) as net-snmp does: it can only fail a
        // pending request, never answer it, and it tells the operator what is wrong instead of a bare timeout.
        SNMP4JSettings.setReportSecurityLevelStrategy(SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
        // A response counts only when it comes from the address and port the request went to (snmp4j matches on the
        // request id alone by default, so anyone who knows a community could answer for another element). For v3 the
        // check runs before the message-id cache entry is used, so a forged packet cannot use up the real answer.
        SNMP4JSettings.setVerifyResponsePeerAddress(true);
        SecurityProtocols protocols = SecurityProtocols.getInstance().addDefaultProtocols();
        protocols.addAuthenticationProtocol(new AuthMD5());
        protocols.addAuthenticationProtocol(new AuthSHA());
        protocols.addAuthenticationProtocol(new AuthHMAC128SHA224());
        protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
        protocols.addAuthenticationProtocol(new AuthHMAC256SHA384());
        protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
        protocols.addPrivacyProtocol(new PrivDES());
        protocols.addPrivacyProtocol(new PrivAES128());
        protocols.addPrivacyProtocol(new PrivAES192());
        protocols.addPrivacyProtocol(new PrivAES256());
        usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
        TrackingDispatcher dispatcher = new TrackingDispatcher();
        dispatcher.addMessageProcessingModel(new MPv1());
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new RandomIdMPv3(usm));
        dispatcher.addCounterListener(event -> {
            if (DECODE_FAILURES.contains(event.getOid()) && TrackingDispatcher.SOURCE.get() != null) {
                parseErrors.computeIfAbsent(key(TrackingDispatcher.SOURCE.get()), k -> new AtomicLong()).incrementAndGet();
            }
        });
        snmp = new Snmp(dispatcher, new DefaultUdpTransportMapping());
        snmp.listen();
    }

    /** Unpredictable ids: snmp4j counts up by one from a random start, so one seen id gives away the next ones. */
    private static final SecureRandom IDS = new SecureRandom();

    /** SNMPv3 with a random message id for every message (retries included). */
    private static final class RandomIdMPv3 extends MPv3 {
        RandomIdMPv3(USM usm) {
            super(usm);
        }

        @Override
        public int getNextMessageID() {
            return 1 + IDS.nextInt(MAX_MESSAGE_ID - 1);
        }
    }

    /**
     * Remembers which address the packet being decoded came from, for the parse-error counter; hands out random request
     * ids (a retry resends the same PDU, so it keeps its id).
     */
    private static final class TrackingDispatcher extends MessageDispatcherImpl {
        static final ThreadLocal<Address> SOURCE = new ThreadLocal<>();

        @Override
        public int getNextRequestID() {
            return 1 + IDS.nextInt(Integer.MAX_VALUE - 1);
        }

        @Override
        public <A extends Address> void processMessage(TransportMapping<? super A> sourceTransport, A incomingAddress,
                ByteBuffer wholeMessage, TransportStateReference tmStateReference) {
            SOURCE.set(incomingAddress);
            try {
                super.processMessage(sourceTransport, incomingAddress, wholeMessage, tmStateReference);
            } catch (RuntimeException e) {
                // a packet that breaks the decoder must not break the transport thread
                LOG.debugf("dropped an undecodable packet from %s: %s", incomingAddress, e.toString());
            } finally {
                SOURCE.remove();
            }
        }
    }

    @Override
    public List<Varbind> get(SnmpTarget target, List<Oid> oids) throws SnmpException {
        PDU pdu = newPdu(target, PDU.GET);
        oids.forEach(oid -> pdu.add(new VariableBinding(new OID(oid.arcs()))));
        return format(send(target, pdu).getVariableBindings());
    }

    @Override
    public List<Varbind> getBulk(SnmpTarget target, List<Oid> oids) throws SnmpException {
        if (target.version() == SnmpVersion.V1) {
            PDU pdu = newPdu(target, PDU.GETNEXT);
            oids.forEach(oid -> pdu.add(new VariableBinding(new OID(oid.arcs()))));
            return format(send(target, pdu).getVariableBindings());
        }
        PDU pdu = newPdu(target, PDU.GETBULK);
        pdu.setNonRepeaters(0);
        pdu.setMaxRepetitions(target.maxRepetitions());
        oids.forEach(oid -> pdu.add(new VariableBinding(new OID(oid.arcs()))));
        return format(send(target, pdu).getVariableBindings());
    }

    @Override
    public List<Varbind> walk(SnmpTarget target, Oid root) throws SnmpException {
        return walk(target, root, false);
    }

    @Override
    public List<Varbind> bulkWalk(SnmpTarget target, Oid root) throws SnmpException {
        return walk(target, root, target.version() != SnmpVersion.V1);
    }

    /**
     * Walks the subtree until it ends (an OID outside the subtree, endOfMibView, or v1 noSuchName). An OID that does not
     * increase stops the walk with {@code bad_response}, so a broken agent cannot loop us forever. An empty subtree
     * falls back to a GET of the root, as net-snmp's snmpwalk does.
     */
    private List<Varbind> walk(SnmpTarget target, Oid root, boolean bulk) throws SnmpException {
        OID rootOid = new OID(root.arcs());
        OID current = rootOid;
        List<Varbind> result = new ArrayList<>();
        while (true) {
            PDU pdu = newPdu(target, bulk ? PDU.GETBULK : PDU.GETNEXT);
            if (bulk) {
                pdu.setNonRepeaters(0);
                pdu.setMaxRepetitions(target.maxRepetitions());
            }
            pdu.add(new VariableBinding(current));
            PDU response = send(target, pdu, true);
            if (response.getErrorStatus() == PDU.noSuchName) {
                break; // v1's way of saying "end of MIB"
            }
            List<? extends VariableBinding> vbs = response.getVariableBindings();
            if (vbs.isEmpty()) {
                throw new SnmpException("bad_response", "agent " + target.endpoint() + " answered a walk request with no varbinds");
            }
            boolean done = false;
            for (VariableBinding vb : vbs) {
                if (vb.getSyntax() == SMIConstants.EXCEPTION_END_OF_MIB_VIEW || !vb.getOid().startsWith(rootOid)) {
                    done = true;
                    break;
                }
                if (vb.getOid().compareTo(current) <= 0) {
                    throw new SnmpException("bad_response", "agent " + target.endpoint() + " returned OID " + vb.getOid()
                            + " after " + current + ": OIDs must increase; walk of " + root + " stopped after "
                            + result.size() + " varbinds");
                }
                result.add(format(vb));
                current = vb.getOid();
            }
            if (done) {
                break;
            }
            if (result.size() > MAX_WALK_VARBINDS) {
                throw new SnmpException("too_large", "walk of " + root + " on " + target.endpoint() + " exceeded "
                        + MAX_WALK_VARBINDS + " varbinds");
            }
        }
        if (result.isEmpty()) {
            List<Varbind> exact = get(target, List.of(root));
            if (exact.size() == 1 && !exact.getFirst().type().startsWith("noSuch")) {
                return exact;
            }
        }
        return result;
    }

    private PDU newPdu(SnmpTarget target, int type) {
        PDU pdu = switch (target.version()) {
            case V1 -> new PDUv1();
            case V2C -> new PDU();
            case V3 -> new ScopedPDU();
        };
        pdu.setType(type);
        return pdu;
    }

    private PDU send(SnmpTarget target, PDU pdu) throws SnmpException {
        return send(target, pdu, false);
    }

    /** Sends and checks the answer; with {@code walking}, a v1 noSuchName is returned for the caller to end the walk. */
    private PDU send(SnmpTarget target, PDU pdu, boolean walking) throws SnmpException {
        if (Thread.currentThread().isInterrupted()) {
            throw new SnmpException("cancelled", "stopped before a request to " + target.endpoint()
                    + ": the job was cancelled or ran out of time");
        }
        Target<UdpAddress> snmpTarget = target(target);
        String sourceKey = key(snmpTarget.getAddress());
        long parseErrorsBefore = parseErrorCount(sourceKey);
        ResponseEvent<UdpAddress> event;
        try {
            event = snmp.send(pdu, snmpTarget);
        } catch (IOException e) {
            throw new SnmpException("io_error", "cannot send to " + target.endpoint() + ": " + e.getMessage());
        }
        PDU response = event == null ? null : event.getResponse();
        if (response == null && Thread.currentThread().isInterrupted()) {
            throw new SnmpException("cancelled", "stopped waiting for " + target.endpoint()
                    + ": the job was cancelled or ran out of time");
        }
        if (response == null) {
            if (event != null && event.getError() != null) {
                throw new SnmpException("io_error", "request to " + target.endpoint() + " failed: " + event.getError().getMessage());
            }
            long garbage = parseErrorCount(sourceKey) - parseErrorsBefore;
            if (garbage > 0) {
                throw new SnmpException("bad_response", "received " + garbage + " packet(s) from " + target.endpoint()
                        + " that are not valid SNMP (BER decoding failed), and no valid response");
            }
            if (target.version() == SnmpVersion.V3) {
                engineIds.remove(target.endpoint()); // the agent may have been replaced; rediscover next time
            }
            throw new SnmpException("timed_out", "no response from " + target.endpoint() + " within "
                    + target.timeout().toMillis() + " ms (" + target.retries() + " retries); check the address, port and "
                    + (target.version() == SnmpVersion.V3 ? "SNMPv3 credentials" : "community"));
        }
        if (response.getType() == PDU.REPORT) {
            throw reportError(target, response);
        }
        int status = response.getErrorStatus();
        if (status != PDU.noError && !(walking && status == PDU.noSuchName)) {
            int index = response.getErrorIndex();
            String at = index > 0 && index <= pdu.size() ? " at " + pdu.get(index - 1).getOid() : "";
            throw new SnmpException("snmp_error", "agent " + target.endpoint() + " answered " + response.getErrorStatusText() + at);
        }
        return response;
    }

    private SnmpException reportError(SnmpTarget target, PDU report) {
        engineIds.remove(target.endpoint());
        for (VariableBinding vb : report.getVariableBindings()) {
            if (vb.getOid().startsWith(USM_STATS)) {
                String reason = USM_REPORTS.getOrDefault(vb.getOid().toDottedString(), "USM error " + vb.getOid());
                return new SnmpException("auth_failed", "agent " + target.endpoint() + " refused the request: " + reason);
            }
        }
        return new SnmpException("snmp_error", "agent " + target.endpoint() + " sent a report: "
                + (report.getVariableBindings().isEmpty() ? "(empty)" : report.get(0).getOid().toDottedString()));
    }

    private long parseErrorCount(String key) {
        AtomicLong count = parseErrors.get(key);
        return count == null ? 0 : count.get();
    }

    private static String key(Address address) {
        return address instanceof UdpAddress udp ? udp.getInetAddress().getHostAddress() + "/" + udp.getPort() : String.valueOf(address);
    }

    private Target<UdpAddress> target(SnmpTarget target) throws SnmpException {
        UdpAddress address;
        try {
            address = new UdpAddress(resolver.resolve(target.host()), target.port());
        } catch (UnknownHostException e) {
            throw new SnmpException("io_error", e.getMessage());
        }
        Target<UdpAddress> result;
        if (target.version() == SnmpVersion.V3) {
            byte[] engineId = engineId(target, address);
            OctetString user = new OctetString(target.user());
            localise(target, engineId);
            int level = target.privProtocol() != null ? SecurityLevel.AUTH_PRIV
                    : target.authProtocol() != null ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.NOAUTH_NOPRIV;
            result = new UserTarget<>(address, user, engineId, level);
            result.setVersion(SnmpConstants.version3);
        } else {
            result = new CommunityTarget<>(address, new OctetString(target.community().reveal()));
            result.setVersion(target.version() == SnmpVersion.V1 ? SnmpConstants.version1 : SnmpConstants.version2c);
        }
        result.setTimeout(target.timeout().toMillis());
        result.setRetries(target.retries());
        return result;
    }

    private byte[] engineId(SnmpTarget target, UdpAddress address) throws SnmpException {
        byte[] cached = engineIds.get(target.endpoint());
        if (cached != null) {
            return cached;
        }
        byte[] discovered = snmp.discoverAuthoritativeEngineID(address, target.timeout().toMillis() * (target.retries() + 1));
        if (discovered == null || discovered.length == 0) {
            throw new SnmpException("timed_out", "no SNMPv3 engine ID from " + target.endpoint() + " within "
                    + target.timeout().toMillis() * (target.retries() + 1) + " ms; is it an SNMPv3 agent on that port?");
        }
        engineIds.put(target.endpoint(), discovered);
        return discovered;
    }

    /** Adds the v3 user for this engine unless the same credentials are already there (localising keys is costly). */
    private void localise(SnmpTarget target, byte[] engineId) {
        String fingerprint = String.join("\u0000", target.user(), String.valueOf(target.authProtocol()),
                target.authPassword() == null ? "" : target.authPassword().reveal(), String.valueOf(target.privProtocol()),
                target.privPassword() == null ? "" : target.privPassword().reveal());
        String slot = HexFormat.of().formatHex(engineId) + "/" + target.user();
        if (fingerprint.equals(localisedUsers.get(slot))) {
            return;
        }
        UsmUser user = new UsmUser(new OctetString(target.user()), authOid(target.authProtocol()),
                target.authPassword() == null ? null : new OctetString(target.authPassword().reveal()),
                privOid(target.privProtocol()), target.privPassword() == null ? null : new OctetString(target.privPassword().reveal()));
        usm.addUser(new OctetString(target.user()), new OctetString(engineId), user);
        localisedUsers.put(slot, fingerprint);
    }

    private static OID authOid(String protocol) {
        if (protocol == null) {
            return null;
        }
        return switch (protocol) {
            case "MD5" -> AuthMD5.ID;
            case "SHA" -> AuthSHA.ID;
            case "SHA-224" -> AuthHMAC128SHA224.ID;
            case "SHA-256" -> AuthHMAC192SHA256.ID;
            case "SHA-384" -> AuthHMAC256SHA384.ID;
            case "SHA-512" -> AuthHMAC384SHA512.ID;
            default -> throw new IllegalArgumentException("unknown auth protocol " + protocol);
        };
    }

    private static OID privOid(String protocol) {
        if (protocol == null) {
            return null;
        }
        return switch (protocol) {
            case "DES" -> PrivDES.ID;
            case "AES" -> PrivAES128.ID;
            case "AES-192" -> PrivAES192.ID;
            case "AES-256" -> PrivAES256.ID;
            default -> throw new IllegalArgumentException("unknown privacy protocol " + protocol);
        };
    }

    private static List<Varbind> format(List<? extends VariableBinding> vbs) {
        List<Varbind> out = new ArrayList<>(vbs.size());
        vbs.forEach(vb -> out.add(format(vb)));
        return out;
    }

    static Varbind format(VariableBinding vb) {
        String oid = vb.getOid().toDottedString();
        Variable v = vb.getVariable();
        return switch (vb.getSyntax()) {
            case SMIConstants.SYNTAX_INTEGER -> new Varbind(oid, "Integer32", Integer.toString(v.toInt()));
            case SMIConstants.SYNTAX_COUNTER32 -> new Varbind(oid, "Counter32", Long.toString(v.toLong()));
            case SMIConstants.SYNTAX_GAUGE32 -> new Varbind(oid, "Gauge32", Long.toString(v.toLong()));
            case SMIConstants.SYNTAX_COUNTER64 -> new Varbind(oid, "Counter64", Long.toUnsignedString(v.toLong()));
            case SMIConstants.SYNTAX_TIMETICKS -> new Varbind(oid, "TimeTicks", Long.toString(v.toLong()));
            case SMIConstants.SYNTAX_OCTET_STRING -> new Varbind(oid, "OctetString", octets(((OctetString) v).getValue()));
            case SMIConstants.SYNTAX_OBJECT_IDENTIFIER -> new Varbind(oid, "OID", ((OID) v).toDottedString());
            case SMIConstants.SYNTAX_IPADDRESS -> new Varbind(oid, "IpAddress", v.toString());
            case SMIConstants.SYNTAX_OPAQUE -> new Varbind(oid, "Opaque", hex(((OctetString) v).getValue()));
            case SMIConstants.SYNTAX_NULL -> new Varbind(oid, "Null", "");
            case SMIConstants.EXCEPTION_NO_SUCH_OBJECT -> new Varbind(oid, "noSuchObject", "");
            case SMIConstants.EXCEPTION_NO_SUCH_INSTANCE -> new Varbind(oid, "noSuchInstance", "");
            case SMIConstants.EXCEPTION_END_OF_MIB_VIEW -> new Varbind(oid, "endOfMibView", "");
            default -> new Varbind(oid, v.getSyntaxString(), v.toString());
        };
    }

    /** Printable UTF-8 text as is; anything else (binary, control characters) as 0x-prefixed hex. */
    static String octets(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                    return hex(bytes);
                }
            }
            return text;
        } catch (CharacterCodingException e) {
            return hex(bytes);
        }
    }

    private static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            LOG.debugf("closing the SNMP transport: %s", e.getMessage());
        }
    }
}
