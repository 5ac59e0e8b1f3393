package io.netwarden.registry.description;

import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a UPnP device description (UDA 1.1 §2.3) strictly and safely:
 *
 * <pre>
 *   bytes ─▶ the JDK's own StAX reader (never one found on the class path), DTDs and external entities off;
 *            a DOCTYPE at all ─▶ invalid (no entity of any kind is expanded, so no "billion laughs", no XXE)
 *         ─▶ &lt;root&gt;&lt;device&gt; … &lt;deviceList&gt;&lt;device&gt; … ─▶ one {@link DeviceDescription} per device, the root first
 *   limits: nesting depth, devices, services and elements counted; texts cut at MAX_TEXT, control characters blanked
 * </pre>
 *
 * Element names are matched by local name, whatever the namespace (stacks differ). Stateless; thread-safe.
 */
public final class DescriptionParser {

    /** Texts are cut to this many characters. */
    public static final int MAX_TEXT = 256;
    static final int MAX_DEPTH = 24;
    static final int MAX_DEVICES = 32;
    static final int MAX_SERVICES = 128;
    static final int MAX_ELEMENTS = 20_000;

    private static final XMLInputFactory FACTORY = factory();

    private DescriptionParser() {
    }

    private static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }

    /** Thrown when the bytes are not a device description this parser accepts; the message says why, briefly. */
    public static final class InvalidDescription extends Exception {
        InvalidDescription(String message) {
            super(message, null, false, false);
        }
    }

    /** A device being read: its fields as they arrive. */
    private static final class DeviceFields {
        final StringBuilder[] fields = new StringBuilder[7];
        final List<DeviceDescription.Service> services = new ArrayList<>();

        DeviceDescription build() {
            return new DeviceDescription(text(0), text(1), text(2), text(3), text(4), text(5), text(6), services);
        }

        String text(int i) {
            return fields[i] == null ? "" : clean(fields[i]);
        }
    }

    private static final List<String> DEVICE_FIELDS = List.of("deviceType", "friendlyName", "manufacturer", "modelName",
            "modelNumber", "UDN", "presentationURL");
    private static final List<String> SERVICE_FIELDS = List.of("serviceType", "serviceId", "controlURL");

    public static DeviceDescription.Document parse(byte[] xml) throws InvalidDescription {
        XMLStreamReader reader;
        try {
            reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
        } catch (XMLStreamException e) {
            throw new InvalidDescription("not XML");
        }
        try {
            return read(reader);
        } catch (XMLStreamException | RuntimeException e) {
            throw new InvalidDescription("not well-formed XML");
        } finally {
            try {
                reader.close();
            } catch (XMLStreamException ignored) {
                // nothing held
            }
        }
    }

    private static DeviceDescription.Document read(XMLStreamReader reader) throws XMLStreamException, InvalidDescription {
        List<DeviceFields> devices = new ArrayList<>(); // in document order: the root first
        Deque<DeviceFields> open = new ArrayDeque<>();
        Deque<Integer> openAt = new ArrayDeque<>(); // the depth of each open device's element
        int depth = 0; // elements open around the current event
        int serviceAt = -1; // the depth of the <service> being read, if any
        StringBuilder text = null; // the field being read, if any
        StringBuilder[] service = null;
        String parent = null;
        Deque<String> names = new ArrayDeque<>();
        int elements = 0;
        int services = 0;
        while (reader.hasNext()) {
            switch (reader.next()) {
                case XMLStreamConstants.DTD -> throw new InvalidDescription("a DOCTYPE is not accepted");
                case XMLStreamConstants.ENTITY_REFERENCE -> throw new InvalidDescription("an entity reference is not accepted");
                case XMLStreamConstants.START_ELEMENT -> {
                    String name = reader.getLocalName();
                    if (++elements > MAX_ELEMENTS || depth >= MAX_DEPTH) {
                        throw new InvalidDescription("too deep or too many elements");
                    }
                    if (depth == 0 && !name.equals("root")) {
                        throw new InvalidDescription("the document element is <" + shorten(name) + ">, not <root>");
                    }
                    text = null;
                    int device = openAt.isEmpty() ? -10 : openAt.peek(); // children of the open device sit at device + 1
                    if (name.equals("device") && (depth == 1 && devices.isEmpty()
                            || "deviceList".equals(parent) && depth == device + 2)) {
                        if (devices.size() >= MAX_DEVICES) {
                            throw new InvalidDescription("more than " + MAX_DEVICES + " devices");
                        }
                        DeviceFields fields = new DeviceFields();
                        devices.add(fields);
                        open.push(fields);
                        openAt.push(depth);
                    } else if (depth == device + 1 && DEVICE_FIELDS.contains(name)) {
                        text = new StringBuilder();
                        open.peek().fields[DEVICE_FIELDS.indexOf(name)] = text;
                    } else if (name.equals("service") && "serviceList".equals(parent) && depth == device + 2) {
                        if (++services > MAX_SERVICES) {
                            throw new InvalidDescription("more than " + MAX_SERVICES + " services");
                        }
                        service = new StringBuilder[SERVICE_FIELDS.size()];
                        serviceAt = depth;
                    } else if (service != null && depth == serviceAt + 1 && SERVICE_FIELDS.contains(name)) {
                        text = new StringBuilder();
                        service[SERVICE_FIELDS.indexOf(name)] = text;
                    }
                    names.push(name);
                    parent = name;
                    depth++;
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (text != null && text.length() < MAX_TEXT * 2) {
                        text.append(reader.getTextCharacters(), reader.getTextStart(),
                                Math.min(reader.getTextLength(), MAX_TEXT * 2 - text.length()));
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    depth--;
                    names.pop();
                    parent = names.peek();
                    text = null;
                    if (!openAt.isEmpty() && openAt.peek() == depth) {
                        open.pop();
                        openAt.pop();
                    } else if (service != null && serviceAt == depth) {
                        open.peek().services.add(new DeviceDescription.Service(value(service[0]), value(service[1]),
                                value(service[2])));
                        service = null;
                        serviceAt = -1;
                    }
                }
                default -> {
                    // comments, processing instructions, the document's end
                }
            }
        }
        if (devices.isEmpty()) {
            throw new InvalidDescription("no <root><device>");
        }
        return new DeviceDescription.Document(devices.stream().map(DeviceFields::build).toList());
    }

    private static String value(StringBuilder field) {
        return field == null ? "" : clean(field);
    }

    /** Trimmed, control characters blanked, cut to MAX_TEXT. */
    static String clean(CharSequence raw) {
        String shown = io.netwarden.platform.api.Inputs.displayable(raw, MAX_TEXT * 2); // no bidi or format tricks
        return shown.length() > MAX_TEXT ? shown.substring(0, MAX_TEXT).strip() : shown;
    }

    private static String shorten(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "…" : name;
    }
}
