<?php
// A client of the terminals' web service in the style of the PHP attendance applications
// (../shared/protocols/soap.md): fsockopen, HTTP/1.0, the body plus an uncounted CRLF, fgets until
// the server closes, then substring cuts. Written for siap-kiosk's tests (GPL-2.0-or-later).
//
//   php soap_client.php HOST PORT COMMKEY GetAttLog|GetUserInfo|ClearData [PIN]
//
// Prints one tab-separated line per row that has a PIN (or Result/Information for other methods).

function cut_between($text, $start, $end) {
    $from = strpos($text, $start);
    if ($from === false) {
        return "";
    }
    $from += strlen($start);
    $to = strpos($text, $end, $from);
    return $to === false ? "" : substr($text, $from, $to - $from);
}

list(, $host, $port, $key, $method) = $argv;
$pin = isset($argv[5]) ? $argv[5] : "All";
$arg = ($method == "GetAttLog" || $method == "GetUserInfo") ? "<PIN xsi:type=\"xsd:integer\">$pin</PIN>"
     : ($method == "ClearData" ? "<Value xsi:type=\"xsd:integer\">3</Value>" : "");
$body = "<$method><ArgComKey xsi:type=\"xsd:integer\">$key</ArgComKey><Arg>$arg</Arg></$method>";

$sock = fsockopen($host, (int)$port, $errno, $errstr, 1);
if (!$sock) {
    fwrite(STDERR, "cannot connect: $errstr\n");
    exit(2);
}
$newline = "\r\n";
fputs($sock, "POST /iWsService HTTP/1.0" . $newline);
fputs($sock, "Content-Type: text/xml" . $newline);
fputs($sock, "Content-Length: " . strlen($body) . $newline . $newline);
fputs($sock, $body . $newline);
$buffer = "";
while ($line = fgets($sock, 1024)) {
    $buffer .= $line;
}
fclose($sock);

$pieces = explode("\r\n", cut_between($buffer, "<{$method}Response>", "</{$method}Response>"));
for ($i = 1; $i < count($pieces); $i++) {
    $row = cut_between($pieces[$i], "<Row>", "</Row>");
    if ($method == "GetAttLog") {
        $fields = array(cut_between($row, "<PIN>", "</PIN>"), cut_between($row, "<DateTime>", "</DateTime>"),
                        cut_between($row, "<Verified>", "</Verified>"), cut_between($row, "<Status>", "</Status>"));
    } elseif ($method == "GetUserInfo") {
        $fields = array(cut_between($row, "<PIN>", "</PIN>"), cut_between($row, "<Name>", "</Name>"));
    } else {
        $fields = array(cut_between($row, "<Result>", "</Result>"), cut_between($row, "<Information>", "</Information>"));
    }
    if ($fields[0] != "") {
        echo implode("\t", $fields), "\n";
    }
}
