package pgwire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// scramIterations is the PBKDF2 cost of the password check (Postgres's
// default).
const scramIterations = 4096

// errBadPassword is any failed password exchange; clients learn nothing
// more, as with Postgres.
var errBadPassword = errors.New("password authentication failed")

// authenticate runs SCRAM-SHA-256 (RFC 5802, RFC 7677) as Postgres does:
// the password never crosses the wire, and the server proves it knows it
// too. The salt is fresh for each connection since no verifier is stored.
func authenticate(be *pgproto3.Backend, password string) error {
	be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := be.Flush(); err != nil {
		return err
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	msg, err := be.Receive()
	if err != nil {
		return err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || first.AuthMechanism != "SCRAM-SHA-256" {
		return fmt.Errorf("%w: expected a SCRAM-SHA-256 response", errBadPassword)
	}
	// client-first-message: gs2-header "n,," (or "y,,") then the bare part.
	cf := string(first.Data)
	if !strings.HasPrefix(cf, "n,,") && !strings.HasPrefix(cf, "y,,") {
		return fmt.Errorf("%w: channel binding is not offered", errBadPassword)
	}
	gs2, bare := cf[:3], cf[3:]
	clientNonce := attr(bare, "r")
	if clientNonce == "" {
		return fmt.Errorf("%w: no client nonce", errBadPassword)
	}
	var raw [18]byte
	rand.Read(raw[:])
	nonce := clientNonce + base64.RawStdEncoding.EncodeToString(raw[:])
	salt := make([]byte, 16)
	rand.Read(salt)
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(salt), scramIterations)
	be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := be.Flush(); err != nil {
		return err
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	msg, err = be.Receive()
	if err != nil {
		return err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fmt.Errorf("%w: expected the client's final SCRAM message", errBadPassword)
	}
	cfinal := string(final.Data)
	i := strings.LastIndex(cfinal, ",p=")
	if i < 0 || attr(cfinal, "r") != nonce || attr(cfinal, "c") != base64.StdEncoding.EncodeToString([]byte(gs2)) {
		return errBadPassword
	}
	proof, err := base64.StdEncoding.DecodeString(cfinal[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return errBadPassword
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return err
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	authMessage := bare + "," + serverFirst + "," + cfinal[:i]
	sig := mac(storedKey[:], authMessage)
	for j := range proof {
		proof[j] ^= sig[j] // proof now holds the client's ClientKey
	}
	got := sha256.Sum256(proof)
	if subtle.ConstantTimeCompare(got[:], storedKey[:]) != 1 {
		return errBadPassword
	}
	serverSig := mac(mac(salted, "Server Key"), authMessage)
	be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	return nil
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// attr returns the value of key=value in a comma-separated SCRAM message.
func attr(msg, key string) string {
	for _, part := range strings.Split(msg, ",") {
		if v, ok := strings.CutPrefix(part, key+"="); ok {
			return v
		}
	}
	return ""
}
