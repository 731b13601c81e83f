/*
Bcfork generates, installs and maintains a fork of Bucardo whose config
database name is a parameter, so that several Bucardo daemons can run on one
host, each with its own config database.

The manual is printed by "bcfork help" and "bcfork COMMAND --help"; the
README gives a tour.
*/
package main
