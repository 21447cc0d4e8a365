#!/usr/bin/env bash
# Makes a directory usable as EWS_SCHEMA_DIR from Exchange's own schema files: the
# messages.xsd, types.xsd and services.wsdl your server publishes under /EWS/ (docs/ews-schema.md).
#
#   scripts/ews-schema.sh DIR
#
# DIR must hold messages.xsd and types.xsd (services.wsdl is kept if present). The script adds
# two small files of this project's own and patches one content model for libxml2:
# - soap-envelope.xsd: a SOAP 1.1 envelope whose Header and Body children are validated strictly
#   against messages.xsd / types.xsd (what the tests give to `xmllint --schema`);
# - xml.xsd: the `xml:` attributes (xml:lang) that types.xsd refers to without a location;
# - types.xsd, ArrayOfTransitionsType: libxml2 refuses the published content model as
#   non-deterministic; it becomes one `t:Transition` particle (the other transition kinds are in
#   its substitution group), which accepts the same elements. types.xsd.orig keeps the original.
# Then it checks the result with xmllint on a small GetEvents request.
set -euo pipefail

dir=${1:?usage: scripts/ews-schema.sh DIR (holding messages.xsd and types.xsd)}
for f in messages.xsd types.xsd; do
  [ -f "$dir/$f" ] || { echo "ews-schema.sh: $dir/$f is missing" >&2; exit 1; }
done
command -v xmllint >/dev/null || { echo "ews-schema.sh: xmllint not found (apt-get install libxml2-utils)" >&2; exit 1; }

cat >"$dir/xml.xsd" <<'XSD'
<?xml version="1.0" encoding="utf-8"?>
<!-- The xml: namespace attributes that types.xsd refers to (written for ews-notify's tests). -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="space">
    <xs:simpleType>
      <xs:restriction base="xs:NCName">
        <xs:enumeration value="default"/>
        <xs:enumeration value="preserve"/>
      </xs:restriction>
    </xs:simpleType>
  </xs:attribute>
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="id" type="xs:ID"/>
</xs:schema>
XSD

cat >"$dir/soap-envelope.xsd" <<'XSD'
<?xml version="1.0" encoding="utf-8"?>
<!-- A SOAP 1.1 envelope whose Header and Body children are checked strictly against Exchange's
     messages.xsd and types.xsd (written for ews-notify's tests: xmllint noout schema this file). -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://schemas.xmlsoap.org/soap/envelope/"
           elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="xml.xsd"/>
  <xs:import namespace="http://schemas.microsoft.com/exchange/services/2006/messages" schemaLocation="messages.xsd"/>
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType>
            <xs:sequence>
              <xs:any namespace="##other" processContents="strict" minOccurs="1" maxOccurs="1"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
XSD

python3 - "$dir/types.xsd" <<'PY'
import re, shutil, sys
path = sys.argv[1]
text = open(path, encoding="utf-8-sig").read()
m = re.search(r'(<xs:complexType name="ArrayOfTransitionsType">\s*)(.*?)(<xs:attribute|</xs:complexType>)', text, re.S)
if m is None:
    sys.exit(0)  # no such type: nothing to patch
particle = ('<xs:sequence>\n            <!-- patched for libxml2 by ews-notify scripts/ews-schema.sh -->\n'
            '            <xs:element ref="t:Transition" minOccurs="0" maxOccurs="unbounded" />\n'
            '        </xs:sequence>\n        ')
if "patched for libxml2" in m.group(2):
    sys.exit(0)
shutil.copyfile(path, path + ".orig")
text = text[:m.start(2)] + particle + text[m.end(2):]
open(path, "w", encoding="utf-8").write(text)
PY

probe=$(mktemp)
trap 'rm -f "$probe"' EXIT
cat >"$probe" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Body><m:GetEvents><m:SubscriptionId>AQAAAA==</m:SubscriptionId><m:Watermark>AQAAAA==</m:Watermark></m:GetEvents></soap:Body>
</soap:Envelope>
XML
xmllint --noout --nonet --schema "$dir/soap-envelope.xsd" "$probe"
echo "ready: export EWS_SCHEMA_DIR=$(cd "$dir" && pwd)"
