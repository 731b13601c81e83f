package fakegithub

import (
	"fmt"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// Files returns a small synthetic bucardo script and bucardo.schema for
// version, shaped like Bucardo's where bcfork patches them. The same
// version always gives the same bytes, so tests can pin them.
func Files(version string) map[string][]byte {
	return map[string][]byte{
		bucardo.Script: []byte(fmt.Sprintf(script, version)),
		bucardo.Schema: []byte(fmt.Sprintf(schema, version, version, version)),
	}
}

const script = `#!/usr/bin/env perl
# Synthetic stand-in for Bucardo's bucardo script, written for bcfork's tests.

package bucardo;

use strict;
use warnings;

our $VERSION = '%s';

sub find_bucardo_schema {
    my $file = 'bucardo.schema';
    for my $dir ('.', '/usr/local/share/bucardo', '/usr/share/bucardo') {
        return "$dir/$file" if -e "$dir/$file";
    }
    die "Could not find the bucardo.schema file\n";
}

sub install {
    my $schema_file = find_bucardo_schema();
    my $PSQL = 'psql';
    my $res = qx{$PSQL -AX -qt -f $schema_file 2>&1};
    my $BDSN = 'dbi:Pg:dbname=bucardo';
    return $res;
}

1;
`

const schema = `-- Synthetic stand-in for Bucardo's bucardo.schema, written for bcfork's tests.
-- Version %s

CREATE DATABASE bucardo;

\c bucardo bucardo

ALTER DATABASE bucardo SET search_path = bucardo, public;

CREATE SCHEMA bucardo;

CREATE TABLE bucardo.bucardo_config (
  name     TEXT NOT NULL,
  setting  TEXT NOT NULL
);

COPY bucardo.bucardo_config(name,setting) FROM STDIN WITH DELIMITER '|';
bucardo_initial_version|%s
bucardo_version|%s
\.
`
