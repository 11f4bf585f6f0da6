/**
 * A phone's configuration file (SEP<MAC>.cnf.xml) as CUCM writes it, reduced to what the lab reads: the CAPF
 * server (capfList: processNodeName, phonePort) and capfAuthMode. Signed, it is what the lab's TFTP serves.
 */

/** The configuration text; `extra` is appended inside <device>. */
export function configXml(o: { capfHost?: string; capfPort?: number; authMode?: number; extra?: string } = {}): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<device xsi:type="axl:XIPPhone" ctiid="94" uuid="{6D4B6F8A-0F3E-3B6A-2D2F-6C0F63C1AB01}">
  <fullConfig>true</fullConfig>
  <deviceProtocol>SIP</deviceProtocol>
  <sshUserId></sshUserId>
  <devicePool>
    <callManagerGroup>
      <members>
        <member priority="0">
          <callManager>
            <name>ao115sub</name>
            <ports><sipPort>5060</sipPort><securedSipPort>5061</securedSipPort></ports>
            <processNodeName>ao115sub</processNodeName>
          </callManager>
        </member>
      </members>
    </callManagerGroup>
  </devicePool>
  <loadInformation>sip88xx.14-2-1-0201-60</loadInformation>
  <capfAuthMode>${o.authMode ?? 0}</capfAuthMode>
  <capfList>
    <capf>
      <phonePort>${o.capfPort ?? 3804}</phonePort>
      <processNodeName>${o.capfHost ?? 'ao115pub'}</processNodeName>
    </capf>
  </capfList>
  <certHash></certHash>
  <encrConfig>false</encrConfig>${o.extra ?? ''}
</device>
`,
  );
}
